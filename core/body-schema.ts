/**
 * A parser's `bodySchema`, compiled with ajv: on the event loop when a config version is built
 * (for inline parsing, and so a bad schema is a config error), and again inside each body
 * worker from the schema's JSON text, on first use. Body workers import this module only when
 * a schema reaches them, so a worker that only extracts labels starts without loading ajv.
 */
import { createHash } from 'node:crypto';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { BodySchema, SchemaSource } from './body-parse.js';

// ajv-formats is CommonJS; its default export arrives as the module object under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

/**
 * Strict mode turns a typo such as `requried` into a config error instead of a schema that
 * accepts everything. Nothing may change the data (no defaults, no coercion, no removal): the
 * backend reads the original bytes, not what ajv saw. Each schema gets its own Ajv, so two
 * config versions may both use one `$id`.
 */
export function compileBodySchema(schema: object, source = JSON.stringify(schema)): BodySchema {
  const ajv = new Ajv({ strict: true, allErrors: false, allowUnionTypes: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  if ((validate as { $async?: unknown }).$async) throw new Error('asynchronous schemas ($async) are not supported');
  return { key: createHash('sha256').update(source).digest('hex').slice(0, 24), source, validate };
}

/** Compiles a schema from what crossed the thread boundary (the worker side). */
export function compileSchemaSource(schema: SchemaSource): BodySchema {
  return { ...compileBodySchema(JSON.parse(schema.source) as object, schema.source), key: schema.key };
}
