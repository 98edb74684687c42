/**
 * `${VAR}`, `${VAR:-default}` and `$${` (a literal `${`) in config scalars, read from the
 * environment once per load.
 *
 * A value that is entirely one `${VAR}` is typed after substitution, quoted or not, so that
 * `port: "${PORT}"` and `port: ${PORT}` both give the integer 9001: the type the schema gives the
 * key decides (an integer key gets 9001, a string key such as `admin.token` keeps "9001").
 * Under a key the schema does not type (plugin `options`, whose schema only the plugin knows),
 * YAML's own rule applies: plain text that reads as a number or true/false is one, quoted text
 * is a string. A variable with text around it (`v${N}`) is always a string.
 */
import { visit, type Document, type Node, type Scalar } from 'yaml';
import type { ProblemList } from './config-errors.js';
import type { JsonSchema } from './config-schema.js';

const VARIABLE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE_VARIABLE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

export type Environment = Readonly<Record<string, string | undefined>>;

/** The JSON types the schema allows at `pointer`, or undefined where it does not say. */
export function schemaTypesAt(schema: JsonSchema, pointer: string): readonly string[] | undefined {
  let node: JsonSchema | undefined = schema;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const properties = node.properties as Record<string, JsonSchema> | undefined;
    const next: unknown = properties?.[segment] ?? node.items ?? node.additionalProperties;
    if (typeof next !== 'object' || next === null) return undefined;
    node = next as JsonSchema;
  }
  const type = node.type;
  if (typeof type === 'string') return [type];
  return Array.isArray(type) ? (type as string[]) : undefined;
}

function typed(text: string, types: readonly string[] | undefined, quoted: boolean): unknown {
  if (types === undefined && quoted) return text;
  const wants = (type: string) => types === undefined || types.includes(type);
  if (NUMBER.test(text) && (wants('integer') || wants('number'))) return Number(text);
  if ((text === 'true' || text === 'false') && wants('boolean')) return text === 'true';
  return text;
}

export function substitute(
  doc: Document, env: Environment, problems: ProblemList,
  pointerOf: (node: Node) => string, typesAt: (pointer: string) => readonly string[] | undefined,
): void {
  visit(doc, {
    Scalar(key, node: Scalar) {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return;
      const original = node.value;
      let missing: string | undefined;
      const replaced = original.replace(VARIABLE, (whole, name: string | undefined, fallback: string | undefined) => {
        if (whole === '$${') return '${';
        const value = env[name!];
        if (value !== undefined && value !== '') return value;
        if (fallback !== undefined) return fallback;
        missing ??= name;
        return whole;
      });
      if (missing !== undefined) {
        problems.add('LG_ERR_CONFIG_ENV_MISSING', pointerOf(node), { name: missing });
        return;
      }
      // A mapping key stays text: only values have a type in the schema.
      if (key === 'key' || !WHOLE_VARIABLE.test(original)) {
        node.value = replaced;
        return;
      }
      const pointer = pointerOf(node);
      node.value = typed(replaced, typesAt(pointer), node.type !== 'PLAIN');
    },
  });
}
