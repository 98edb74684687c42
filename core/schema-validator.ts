/**
 * One ajv setup for the config, for plugin manifests and for every plugin's options schema: all
 * errors at once, defaults filled in, the two custom keywords of core/config-schema.ts (`unit`,
 * `regex`), and `callable` and `finite` for plugin manifests (core/plugin-loader.ts).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseDuration, parseSize } from './units.js';
import type { JsonSchema } from './config-schema.js';
import { escapePointer } from './json-pointer.js';

export { escapePointer };

export interface SchemaProblem {
  /** JSON pointer of the offending value (or of the unknown key). */
  pointer: string;
  message: string;
}

function addUnitKeyword(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: 'unit',
    modifying: true,
    schemaType: 'string',
    errors: true,
    validate: function unit(kind: string, data: unknown, _schema: unknown, ctx?: { parentData: any; parentDataProperty: string | number }) {
      if (typeof data !== 'number' && typeof data !== 'string') return true;
      const value = kind === 'bytes' ? parseSize(data) : parseDuration(data);
      if (value === undefined) {
        (unit as any).errors = [{ keyword: 'unit', message: `must be a ${kind === 'bytes' ? 'size such as 64KiB' : 'duration such as 5s'}`, params: { unit: kind } }];
        return false;
      }
      if (ctx && ctx.parentData !== undefined) ctx.parentData[ctx.parentDataProperty] = value;
      return true;
    },
  });
}

function addRegexKeyword(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: 'regex',
    schemaType: 'boolean',
    errors: true,
    validate: function regex(enabled: boolean, data: unknown) {
      if (!enabled || typeof data !== 'string') return true;
      try {
        new RegExp(data);
        return true;
      } catch (error) {
        (regex as any).errors = [{ keyword: 'regex', message: `must be a valid regex (${(error as Error).message})`, params: {} }];
        return false;
      }
    },
  });
}

/** `callable: true`: the value is a function (JSON schema has no type for it). */
function addCallableKeyword(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: 'callable',
    schemaType: 'boolean',
    errors: true,
    validate: function callable(enabled: boolean, data: unknown) {
      if (!enabled || typeof data === 'function') return true;
      (callable as any).errors = [{ keyword: 'callable', message: 'must be a function', params: {} }];
      return false;
    },
  });
}

/** `finite: true`: a number that is neither NaN nor ±Infinity (ajv's `number` lets both through). */
function addFiniteKeyword(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: 'finite',
    schemaType: 'boolean',
    errors: true,
    validate: function finite(enabled: boolean, data: unknown) {
      if (!enabled || typeof data !== 'number' || Number.isFinite(data)) return true;
      (finite as any).errors = [{ keyword: 'finite', message: 'must be a finite number', params: {} }];
      return false;
    },
  });
}

export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, allowUnionTypes: true });
  addUnitKeyword(ajv);
  addRegexKeyword(ajv);
  addCallableKeyword(ajv);
  addFiniteKeyword(ajv);
  return ajv;
}

const shared = createAjv();
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

/** Compiles once per schema object; plugin schemas are compiled when their plugin loads. */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = shared.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

function describe(error: ErrorObject): SchemaProblem {
  const at = error.instancePath || '/';
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      return { pointer: `${error.instancePath}/${escapePointer(key)}`, message: `unknown key "${key}" in ${at}` };
    }
    case 'required':
      return { pointer: error.instancePath, message: `${at} needs "${(error.params as { missingProperty: string }).missingProperty}"` };
    case 'enum':
      return { pointer: error.instancePath, message: `${at} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
    default:
      return { pointer: error.instancePath, message: `${at} ${error.message ?? 'is invalid'}` };
  }
}

/** Validates (filling defaults, converting units) and returns the problems, deduplicated. */
export function validateWith(validate: ValidateFunction, data: unknown): SchemaProblem[] {
  if (validate(data)) return [];
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  for (const error of validate.errors ?? []) {
    // oneOf/anyOf/if noise repeats the real cause; keep the first line per pointer.
    if (error.keyword === 'if' || error.keyword === 'oneOf' || error.keyword === 'anyOf') continue;
    const problem = describe(error);
    const key = `${problem.pointer}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}
