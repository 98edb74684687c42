/**
 * Turns `{ use, options }` into a plugin instance. `use` is a built-in name, or a module path
 * (`./my-parser.js`) relative to the config file. The manifest is validated against the JSON
 * schema of its kind (MANIFEST_SCHEMAS: known keys only, so `fallback` on a router or a misspelt
 * key is refused), the options are validated (on a copy, with defaults) against the plugin's own
 * schema, then `create` runs. Any failure is a coded config error at the position of that entry;
 * nothing is skipped.
 *
 * Path plugins are imported with their content hash in the URL, so a hot reload after an edit
 * loads the new code instead of the module cache's copy.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyManifest, JsonSchema, PluginKind, PluginKit } from './contracts.js';
import { GatewayError } from './errors.js';
import { compileSchema, validateWith } from './schema-validator.js';
import type { PluginRef } from './config-types.js';
import { BUILTIN_PLUGINS } from './builtin-plugins.js';

export interface LoadedPlugin<Instance> {
  readonly name: string;
  readonly manifest: AnyManifest;
  readonly instance: Instance;
  /** Absolute module path for path plugins (watched by hot reload). */
  readonly file?: string;
  /** Content hash of a path plugin, part of the config version's identity. */
  readonly hash?: string;
}

export function contentHash(source: Buffer | string): string {
  return createHash('sha256').update(source).digest('hex').slice(0, 16);
}

export function isPathReference(use: string): boolean {
  return use.startsWith('./') || use.startsWith('../') || path.isAbsolute(use);
}

/** Thrown with a pointer relative to the entry (`/use`, `/options/rules/0/match`). */
export class PluginLoadError extends Error {
  constructor(readonly error: GatewayError, readonly relativePointer: string) {
    super(error.message);
  }
}

function manifestSchema(kind: PluginKind): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['kind', 'name', 'version', 'priority', 'optionsSchema', 'create'],
    properties: {
      kind: { const: kind },
      name: { type: 'string', minLength: 1 },
      version: { type: 'string', minLength: 1 },
      priority: { type: 'number', finite: true },
      optionsSchema: { type: 'object' },
      create: { callable: true },
      description: { type: 'string' },
      // Only a parser may be a fallback: tried when no other parser matched, and not proven disjoint.
      ...(kind === 'parser' ? { fallback: { type: 'boolean' } } : {}),
    },
  };
}

/** The JSON schema a manifest of each kind must satisfy (README "Writing a plugin" lists the same keys). */
export const MANIFEST_SCHEMAS: Readonly<Record<PluginKind, JsonSchema>> = {
  parser: manifestSchema('parser'),
  router: manifestSchema('router'),
  auth: manifestSchema('auth'),
  interceptor: manifestSchema('interceptor'),
};

function manifestProblem(manifest: Record<string, unknown>, kind: PluginKind, expectedName: string | undefined): string | undefined {
  const schema = MANIFEST_SCHEMAS[kind];
  const problems = validateWith(compileSchema(schema), manifest);
  if (problems.length > 0) {
    const keys = Object.keys(schema.properties as object);
    return problems.map(({ pointer, message }) => {
      if (pointer === '/kind') return `kind is ${JSON.stringify(manifest.kind)}, expected "${kind}"`;
      // A pointer to a top-level key the schema does not know: an unknown key.
      if (pointer.lastIndexOf('/') === 0 && !keys.includes(pointer.slice(1))) return `${message.replace(/ in \/$/, '')} (a ${kind} manifest has ${keys.join(', ')})`;
      return message.replace(/^\/ /, 'the manifest ').replace(/^\//, '');
    }).join('; ');
  }
  if (expectedName !== undefined && manifest.name !== expectedName) return `name is "${String(manifest.name)}" but the file is ${expectedName}.*; they must agree`;
  return undefined;
}

async function importManifest(ref: PluginRef, kind: PluginKind, configDir: string): Promise<{ manifest: unknown; file?: string; hash?: string }> {
  if (!isPathReference(ref.use)) {
    const load = BUILTIN_PLUGINS[kind][ref.use];
    if (!load) {
      const known = Object.keys(BUILTIN_PLUGINS[kind]).join(', ') || 'none';
      throw new PluginLoadError(new GatewayError('LG_ERR_CONFIG_PLUGIN_NOT_FOUND', { kind, name: ref.use, reason: `built-ins are ${known}; a path must start with ./ or ../` }), '/use');
    }
    return { manifest: await load() };
  }
  const file = path.resolve(configDir, ref.use);
  let source: Buffer;
  try {
    source = await readFile(file);
  } catch (error) {
    throw new PluginLoadError(new GatewayError('LG_ERR_CONFIG_PLUGIN_NOT_FOUND', { kind, name: ref.use, reason: `cannot read ${file} (${(error as NodeJS.ErrnoException).code})` }), '/use');
  }
  const hash = contentHash(source);
  try {
    const module = await import(`${pathToFileURL(file).href}?v=${hash}`) as { default?: unknown };
    return { manifest: module.default ?? module, file, hash };
  } catch (error) {
    throw new PluginLoadError(new GatewayError('LG_ERR_CONFIG_PLUGIN_MANIFEST', { name: ref.use, reason: `the module failed to load: ${(error as Error).message}` }, { cause: error }), '/use');
  }
}

export async function loadPlugin<Instance>(ref: PluginRef, kind: PluginKind, kit: PluginKit): Promise<LoadedPlugin<Instance>> {
  const { manifest, file, hash } = await importManifest(ref, kind, kit.configDir);
  const expectedName = file === undefined ? undefined : path.basename(file).replace(/\.[cm]?[jt]s$/, '');
  const problem = typeof manifest === 'object' && manifest !== null
    ? manifestProblem(manifest as Record<string, unknown>, kind, expectedName)
    : 'the module must export a manifest object as its default export';
  if (problem) throw new PluginLoadError(new GatewayError('LG_ERR_CONFIG_PLUGIN_MANIFEST', { name: ref.use, reason: problem }), '/use');
  const checked = manifest as AnyManifest;

  let validate;
  try {
    validate = compileSchema(checked.optionsSchema);
  } catch (error) {
    throw new PluginLoadError(new GatewayError('LG_ERR_CONFIG_PLUGIN_MANIFEST', { name: checked.name, reason: `optionsSchema does not compile: ${(error as Error).message}` }), '/use');
  }
  const options = structuredClone(ref.options ?? {}) as Record<string, unknown>;
  const problems = validateWith(validate, options);
  if (problems.length > 0) {
    const [firstProblem] = problems;
    throw new PluginLoadError(new GatewayError('LG_ERR_CONFIG_PLUGIN_OPTIONS', { kind, name: checked.name, reason: problems.map((p) => p.message.replace(/^\//, 'options/')).join('; ') }), `/options${firstProblem!.pointer}`);
  }

  let instance: Instance;
  try {
    instance = await (checked.create as (options: unknown, kit: PluginKit) => Instance | Promise<Instance>)(Object.freeze(options), kit);
  } catch (error) {
    if (error instanceof GatewayError) throw new PluginLoadError(error, error.pointer ? `/options${error.pointer}` : '/use');
    const pointer = (error as { pointer?: unknown }).pointer;
    throw new PluginLoadError(
      new GatewayError('LG_ERR_CONFIG_PLUGIN_CREATE', { kind, name: checked.name, reason: (error as Error).message }, { cause: error }),
      typeof pointer === 'string' ? `/options${pointer}` : '/use',
    );
  }
  return { name: ref.name ?? checked.name, manifest: checked, instance, ...(file ? { file } : {}), ...(hash ? { hash } : {}) };
}
