/**
 * The one function that turns a request body into routing facts. It runs inline on the event
 * loop (small bodies, `labelgate explain`) and in the body workers (large bodies) alike, so the
 * two paths cannot disagree:
 *
 *   bytes ─► UTF-8? ─► JSON.parse ─► duplicate keys (S19) ─► bodySchema (ajv) ─► { labels }
 *
 * It never throws and returns plain data, because its outcome crosses a thread boundary by
 * structured clone; the event loop turns a failure into a GatewayError (core/body-stage.ts).
 */
import { isUtf8 } from 'node:buffer';
import type { ErrorObject } from 'ajv';
import type { BodyFacts } from './contracts.js';
import { findDuplicateKey } from './json-keys.js';
import { escapePointer } from './json-pointer.js';
import { locateJsonError, locateUtf8Error, type JsonSyntaxError } from './json-syntax.js';

/** What a worker needs to compile a schema itself: its content hash and its JSON text. */
export interface SchemaSource {
  readonly key: string;
  readonly source: string;
}

/** A compiled schema (core/body-schema.ts); only its shape is needed here, not ajv. */
export interface BodySchema extends SchemaSource {
  readonly validate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
}

export type BodyFailureCode = 'LG_ERR_BODY_MALFORMED_JSON' | 'LG_ERR_BODY_DUPLICATE_KEY' | 'LG_ERR_BODY_SCHEMA';

export type BodyOutcome =
  | { readonly ok: true; readonly facts: BodyFacts }
  | { readonly ok: false; readonly code: BodyFailureCode; readonly params: Readonly<Record<string, string | number>> };

/** The routing facts of a JSON body: the string values of its top-level `labels`. */
export function routingFacts(json: unknown): BodyFacts {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return {};
  const labels = (json as { labels?: unknown }).labels;
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return {};
  const strings: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) if (typeof value === 'string') strings[key] = value;
  return { labels: strings };
}

function malformed(error: JsonSyntaxError): BodyOutcome {
  return { ok: false, code: 'LG_ERR_BODY_MALFORMED_JSON', params: { ...error } };
}

/** The pointer that names what failed: the missing or unexpected property itself, not its parent. */
export function schemaFailure(error: ErrorObject): BodyOutcome {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const property = error.keyword === 'required' ? params.missingProperty : error.keyword === 'additionalProperties' ? params.additionalProperty : undefined;
  const pointer = property === undefined ? error.instancePath : `${error.instancePath}/${escapePointer(property)}`;
  const reason = error.keyword === 'required' ? 'is required' : error.keyword === 'additionalProperties' ? 'is not allowed' : error.message ?? 'is invalid';
  return { ok: false, code: 'LG_ERR_BODY_SCHEMA', params: { pointer, reason } };
}

/**
 * Parses `bytes` as JSON (the whole body, so a malformed one is refused wherever the flaw is),
 * rejects duplicate keys where they matter, validates against `schema` when there is one, and
 * returns the routing facts. An empty body without a schema has no facts.
 */
export function parseBody(bytes: Buffer, schema: BodySchema | undefined): BodyOutcome {
  if (bytes.length === 0 && !schema) return { ok: true, facts: {} };
  if (!isUtf8(bytes)) return malformed(locateUtf8Error(bytes) ?? { position: 0, line: 1, column: 1, reason: 'the body is not valid UTF-8' });
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return malformed(locateJsonError(bytes) ?? { position: 0, line: 1, column: 1, reason: (error as Error).message });
  }
  const duplicate = findDuplicateKey(bytes, schema ? 'all' : 'routing');
  if (duplicate) return { ok: false, code: 'LG_ERR_BODY_DUPLICATE_KEY', params: { ...duplicate } };
  if (schema && !schema.validate(json)) return schemaFailure(schema.validate.errors![0]!);
  return { ok: true, facts: routingFacts(json) };
}
