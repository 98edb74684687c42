/**
 * Finds the one parser pattern that matches a request. Patterns of ordinary parsers are proven
 * disjoint when the config loads, so the first match is the only match; fallback parsers
 * (linkis-default) are tried, in config order, only when no ordinary pattern matched.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { BodyFacts, ParseRequest, ParserInstance, ParserPattern, PatternMatch } from './contracts.js';
import type { BodyPlan } from './body-stage.js';

export interface CompiledPattern {
  readonly regex: RegExp;
  readonly pattern: ParserPattern;
  readonly parser: ParserInstance;
  /** Config name of the parser (its `name:` or manifest name). */
  readonly parserName: string;
  readonly methods: ReadonlySet<string> | undefined;
  /** What the parser entry asks of request bodies (its `bodySchema`, compiled). */
  readonly body: BodyPlan;
  /** Set when the pattern is `unproven: true` and left out of the proof: why its regex could not be analysed. */
  readonly unproven?: string;
}

export interface ParserHit {
  readonly entry: CompiledPattern;
  readonly match: PatternMatch;
}

function tryEntry(entry: CompiledPattern, method: string, path: string): ParserHit | undefined {
  if (entry.methods && !entry.methods.has(method)) return undefined;
  const result = entry.regex.exec(path);
  if (!result) return undefined;
  return { entry, match: { pattern: entry.pattern, captures: result, groups: result.groups ?? {} } };
}

export class ParserChain {
  constructor(readonly primary: readonly CompiledPattern[], readonly fallback: readonly CompiledPattern[]) {}

  find(method: string, path: string): ParserHit | undefined {
    for (const entry of this.primary) {
      const hit = tryEntry(entry, method, path);
      if (hit) return hit;
    }
    for (const entry of this.fallback) {
      const hit = tryEntry(entry, method, path);
      if (hit) return hit;
    }
    return undefined;
  }
}

/** A ParseRequest whose query is parsed only if a parser reads it. */
export class LazyParseRequest implements ParseRequest {
  private parsedQuery: URLSearchParams | undefined;
  body: BodyFacts | undefined;

  constructor(
    readonly method: string,
    readonly path: string,
    readonly queryString: string,
    readonly headers: IncomingHttpHeaders,
  ) {}

  get query(): URLSearchParams {
    this.parsedQuery ??= new URLSearchParams(this.queryString);
    return this.parsedQuery;
  }
}
