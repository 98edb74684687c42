/**
 * Step 3 of a request (design §1): the body, read only when the matched parser needs its
 * routing facts or a `bodySchema` guards that parser.
 *
 *   Content-Type checked strictly (schema only, S18) ─► bytes collected up to body.maxBytes
 *   ─► BodyPool.parse: inline below body.workerThreshold, else in a worker ─► facts on the
 *   ParseRequest; the same bytes are forwarded, with their Content-Length
 *
 * A parser's schema is compiled once per config version (compileBodyPlans), never per request.
 */
import type { IncomingMessage } from 'node:http';
import type { BodyFacts } from './contracts.js';
import type { GatewayConfig, ParserRef } from './config-types.js';
import type { ProblemList } from './config-errors.js';
import { parseBody, routingFacts, schemaFailure, type BodyOutcome, type BodySchema } from './body-parse.js';
import { findDuplicateKeyParsed } from './json-keys.js';
import { compileBodySchema } from './body-schema.js';
import type { BodyPool } from './body-pool.js';
import { collectBody, hasBody } from './body-reader.js';
import { GatewayError } from './errors.js';
import { jsonMediaTypeProblem } from './media-type.js';
import type { LazyParseRequest, ParserHit } from './parse-stage.js';

/** What one parser entry asks of a request body. */
export interface BodyPlan {
  readonly schema?: BodySchema;
}

/** Methods whose requests are expected to carry content: without a body they fail a schema. */
const CONTENT_METHODS = new Set(['POST', 'PUT', 'PATCH']);

const EMPTY = Buffer.alloc(0);

/** One plan per `parsers` entry, in config order; a schema that does not compile is a config problem. */
export function compileBodyPlans(parsers: readonly ParserRef[], problems: ProblemList): BodyPlan[] {
  return parsers.map((ref, index) => {
    if (ref.bodySchema === undefined) return {};
    try {
      return { schema: compileBodySchema(ref.bodySchema) };
    } catch (error) {
      problems.add('LG_ERR_CONFIG_BODY_SCHEMA', `/parsers/${index}/bodySchema`, { name: ref.name ?? ref.use, reason: (error as Error).message });
      return {};
    }
  });
}

/** The facts of a parsed body, or its failure as the GatewayError the client sees. */
export function factsOf(outcome: BodyOutcome): BodyFacts {
  if (outcome.ok) return outcome.facts;
  throw new GatewayError(outcome.code, outcome.params, { data: { ...outcome.params } });
}

export class BodyStage {
  constructor(readonly settings: GatewayConfig['body'], readonly pool: BodyPool) {}

  /** Reads, checks and parses the body when this request's parser needs it; the bytes to forward. */
  /** Answers at once (no promise) when the body is not needed, which is most requests. */
  read(req: IncomingMessage, request: LazyParseRequest, hit: ParserHit): Buffer | undefined | Promise<Buffer | undefined> {
    const { schema } = hit.entry.body;
    if (!schema && !hit.entry.parser.needsBody?.(request, hit.match)) return undefined;
    if (!hasBody(req)) return this.absent(request, hit);
    if (schema) {
      const problem = jsonMediaTypeProblem(req.headers, req.rawHeaders);
      if (problem) throw new GatewayError('LG_ERR_BODY_MEDIA_TYPE', { reason: problem });
    }
    return this.collect(req, request, schema);
  }

  private async collect(req: IncomingMessage, request: LazyParseRequest, schema: ParserHit['entry']['body']['schema']): Promise<Buffer | undefined> {
    const { maxBytes, workerThreshold } = this.settings;
    const collected = await collectBody(req, maxBytes, this.pool.workers > 0 ? workerThreshold : Infinity);
    const { outcome, bytes } = await this.pool.parse(collected, schema, this.settings, req.socket);
    request.body = factsOf(outcome);
    return bytes;
  }

  /**
   * A WebSocket frame's body is its `data`, held to an HTTP body's rules: the parser's
   * `bodySchema` guards it, and no key of the frame may repeat (S19: the label routed on must be
   * the one the instance reads). The frame text is already parsed, so nothing is parsed again.
   */
  frame(text: string, frame: { readonly json: unknown; readonly data: unknown }, request: LazyParseRequest, hit: ParserHit): void {
    const { schema } = hit.entry.body;
    if (!schema && !hit.entry.parser.needsBody?.(request, hit.match)) return;
    if (frame.data === undefined) return this.absent(request, hit);
    // As for an HTTP body: without a schema only the keys routing reads (and the frame's own) may not repeat.
    const duplicate = findDuplicateKeyParsed(Buffer.from(text), frame.json, schema ? 'all' : 'frame');
    if (duplicate) factsOf({ ok: false, code: 'LG_ERR_BODY_DUPLICATE_KEY', params: { ...duplicate } });
    if (schema && !schema.validate(frame.data)) factsOf(schemaFailure(schema.validate.errors![0]!));
    request.body = routingFacts(frame.data);
  }

  /** The same parse, inline, for `labelgate explain`. */
  explain(body: string | undefined, request: LazyParseRequest, hit: ParserHit): void {
    const { schema } = hit.entry.body;
    if (!schema && !hit.entry.parser.needsBody?.(request, hit.match)) return;
    if (body === undefined || body === '') return this.absent(request, hit);
    request.body = factsOf(parseBody(Buffer.from(body), schema));
  }

  /** No body at all (an HTTP request without content, a frame without `data`): a POST, PUT or PATCH fails its schema. */
  private absent(request: LazyParseRequest, hit: ParserHit): undefined {
    const { schema } = hit.entry.body;
    if (schema && CONTENT_METHODS.has(request.method)) factsOf(parseBody(EMPTY, schema));
    return undefined;
  }
}
