/**
 * Proves, when the config loads, that no two parser patterns can match the same request.
 *
 * Each pattern becomes an automaton (refa: regex → AST → simplify assertions away → NFA). Two
 * patterns overlap when their automata intersect, also with the language of normalised paths
 * (so a sample is always a path the gateway could really see), and their method sets meet.
 * An overlap names both rules and a readable sample URI from the intersection. A regex refa
 * cannot turn into an automaton (a real backreference, a lookaround that does not simplify) is
 * a config error unless its rule says `unproven: true`; then the rule is left out of the proof,
 * never silently: it is a warning (LG_WARN_CONFIG_UNPROVEN) and `explain` says so.
 *
 * Methods are compared as requests are matched: upper-cased (`get` and `GET` are one method).
 */
import { JS, NFA, Transformers, getIntersectionWordSets, transform, type CharSet } from 'refa';
import type { ParserPattern } from './contracts.js';
import type { ProblemList } from './config-errors.js';

export interface ProvablePattern extends ParserPattern {
  /** `parser/rule`, as shown in errors. */
  readonly label: string;
  /** Absolute JSON pointer in the config document. */
  readonly configPointer: string;
}

/** Strips one leading `^` and one trailing unescaped `$`: patterns always match the whole path. */
export function innerSource(source: string): string {
  let inner = source.startsWith('^') ? source.slice(1) : source;
  if (inner.endsWith('$')) {
    let backslashes = 0;
    for (let i = inner.length - 2; i >= 0 && inner[i] === '\\'; i--) backslashes++;
    if (backslashes % 2 === 0) inner = inner.slice(0, -1);
  }
  return inner;
}

/** The runtime regex: a whole-path match with the pattern's own flags. */
export function compilePattern(pattern: ParserPattern): RegExp {
  return new RegExp(`^(?:${innerSource(pattern.source)})$`, pattern.flags ?? '');
}

function toAutomaton(source: string, flags: string): NFA {
  const { expression, maxCharacter } = JS.Parser.fromLiteral({ source: `^(?:${source})$`, flags }).parse({ backreferences: 'throw' });
  let simplified = transform(Transformers.simplify(), expression);
  simplified = transform(Transformers.patternEdgeAssertions({ remove: true }), simplified);
  return NFA.fromRegex(simplified, { maxCharacter });
}

/** Paths after core/path.ts: segments of visible ASCII without `\`, no empty segments inside. */
const normalisedPaths = toAutomaton('/(?:[!-.0-\\[\\]-~]+/)*[!-.0-\\[\\]-~]*', '');

const READABLE_RANGES: [number, number][] = [
  [0x61, 0x7a], [0x30, 0x39], [0x41, 0x5a], [0x2d, 0x2e], [0x5f, 0x5f], [0x21, 0x7e],
];

function readableChar(set: CharSet): string {
  for (const [min, max] of READABLE_RANGES) {
    for (const range of set.ranges) {
      const low = Math.max(min, range.min);
      if (low <= Math.min(max, range.max)) return String.fromCharCode(low);
    }
  }
  return String.fromCharCode(set.ranges[0]!.min);
}

/** RFC 9110 §9.1 and §5.6.2: a method is a token, `1*tchar`. */
const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** How much of a refused method an error quotes. */
const MAX_QUOTED = 40;

function quote(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}

/**
 * A pattern's `methods` as requests are matched: upper-cased, each once. `methods` comes from
 * plugin code, so anything may arrive; what is not a list of method tokens is `invalid` (quoted).
 */
export function normaliseMethods(methods: unknown): { readonly methods: readonly string[] | undefined } | { readonly invalid: string } {
  if (methods === undefined) return { methods: undefined };
  if (!Array.isArray(methods)) return { invalid: `${quote(methods)} (methods must be a list)` };
  const normalised = new Set<string>();
  for (const method of methods as unknown[]) {
    if (typeof method !== 'string' || !METHOD_TOKEN.test(method)) return { invalid: quote(method) };
    normalised.add(method.toUpperCase());
  }
  return { methods: [...normalised] };
}

function methodsMeet(a: ParserPattern, b: ParserPattern): boolean {
  if (!a.methods || !b.methods) return true;
  const upper = new Set(b.methods.map((method) => method.toUpperCase()));
  return a.methods.some((method) => upper.has(method.toUpperCase()));
}

/** A readable URI both automata accept, or undefined when they are disjoint. */
function sampleOfOverlap(a: NFA, b: NFA): string | undefined {
  const both = NFA.fromIntersection(a, b);
  if (both.isEmpty) return undefined;
  for (const wordSet of getIntersectionWordSets(both, normalisedPaths)) {
    return wordSet.map(readableChar).join('');
  }
  // Overlapping only on paths the normaliser never produces (e.g. with `//`): harmless.
  return undefined;
}

/** A pattern marked `unproven: true` that the prover indeed could not analyse: left out of every pair. */
export interface UnprovenPattern {
  readonly pattern: ProvablePattern;
  /** Why its regex could not be analysed. */
  readonly reason: string;
}

/**
 * Adds an error for every overlap and every unprovable regex not marked `unproven`, a warning
 * for every one that is, and returns those: the patterns the proof says nothing about.
 */
export function provePatterns(patterns: readonly ProvablePattern[], problems: ProblemList): UnprovenPattern[] {
  const automata: { pattern: ProvablePattern; nfa: NFA }[] = [];
  const unproven: UnprovenPattern[] = [];
  for (const pattern of patterns) {
    try {
      automata.push({ pattern, nfa: toAutomaton(innerSource(pattern.source), pattern.flags ?? '') });
    } catch (error) {
      const reason = (error as Error).message.replace(/\.$/, '');
      if (pattern.unproven) {
        unproven.push({ pattern, reason });
        problems.warn('LG_WARN_CONFIG_UNPROVEN', pattern.configPointer, { rule: pattern.label, reason });
        continue;
      }
      problems.add('LG_ERR_CONFIG_REGEX_UNPROVABLE', pattern.configPointer, { rule: pattern.label, reason });
    }
  }
  for (let i = 0; i < automata.length; i++) {
    for (let j = i + 1; j < automata.length; j++) {
      const first = automata[i]!;
      const second = automata[j]!;
      if (!methodsMeet(first.pattern, second.pattern)) continue;
      const sample = sampleOfOverlap(first.nfa, second.nfa);
      if (sample === undefined) continue;
      problems.add('LG_ERR_CONFIG_RULES_OVERLAP', second.pattern.configPointer, {
        first: first.pattern.label, second: second.pattern.label, sample,
      });
    }
  }
  return unproven;
}
