/**
 * gateway.yaml → validated, defaulted config with positions.
 *
 *   text ──yaml──► document (keeps line/column of every node)
 *        ──${VAR} / ${VAR:-default} substitution on scalars (core/config-substitution.ts)──►
 *        ──toJS──► ajv (defaults, units, unknown keys) ──► GatewayConfig
 *
 * Every problem is reported with FILE:LINE:COL and a JSON pointer. Nothing in the file is
 * evaluated: only the YAML core schema is accepted, unknown tags are errors (S7).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { ConfigError, ProblemList, type Locator } from './config-errors.js';
import { gatewaySchema } from './config-schema.js';
import { sourceLine } from './config-source.js';
import { schemaTypesAt, substitute, type Environment } from './config-substitution.js';
import { yamlProblems } from './config-yaml-errors.js';
import type { GatewayConfig } from './config-types.js';
import { compileSchema, escapePointer, validateWith } from './schema-validator.js';

export interface LoadedConfig {
  /** Absolute path of the file (or a label such as `etcd:/labelgate/config/gateway.yaml`). */
  readonly file: string;
  /** Directory that relative paths in the config are resolved against. */
  readonly dir: string;
  readonly text: string;
  readonly hash: string;
  readonly config: GatewayConfig;
  readonly locate: Locator;
}

export type { Environment };

function makeLocator(doc: Document, text: string, lines: LineCounter): Locator {
  const position = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    const source = sourceLine(text, lines, line);
    return source === undefined ? { line, column: col } : { line, column: col, source };
  };
  return (pointer: string) => {
    let node: unknown = doc.contents;
    let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
    const segments = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    for (const segment of segments) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
        if (!pair) break;
        offset = (pair.key as Node).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)] as Node | undefined;
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else {
        break;
      }
    }
    return position(offset);
  };
}

/** Records the JSON pointer of every node, so a substitution problem can name its position. */
function indexPointers(node: unknown, pointer: string, out: Map<Node, string>): void {
  if (isMap(node)) {
    out.set(node, pointer);
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      indexPointers(pair.value, `${pointer}/${escapePointer(String(pair.key.value))}`, out);
    }
  } else if (isSeq(node)) {
    out.set(node, pointer);
    node.items.forEach((item, index) => indexPointers(item, `${pointer}/${index}`, out));
  } else if (isScalar(node)) {
    out.set(node, pointer);
  }
}

/** Parses and validates config text; throws ConfigError with every problem found. */
export function parseConfigText(text: string, file: string, env: Environment = process.env, dir = path.dirname(file)): LoadedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, schema: 'core' });
  const locate = makeLocator(doc, text, lines);
  const problems = new ProblemList(file, locate);
  const yamlErrors = [...doc.errors, ...doc.warnings];
  if (yamlErrors.length > 0) throw new ConfigError(yamlProblems(yamlErrors, text, lines, file));
  if (doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''))) {
    problems.add('LG_ERR_CONFIG_YAML', '', { reason: 'the document is empty' });
    problems.throwIfAny();
  }
  if (!isMap(doc.contents)) {
    problems.add('LG_ERR_CONFIG_SCHEMA', '', { reason: 'the document must be a mapping of sections (server:, parsers:, …)' });
    problems.throwIfAny();
  }

  const pointerOf = new Map<Node, string>();
  indexPointers(doc.contents, '', pointerOf);
  substitute(doc, env, problems, (node) => pointerOf.get(node) ?? '', (pointer) => schemaTypesAt(gatewaySchema, pointer));
  problems.throwIfAny();

  const config = doc.toJS({ maxAliasCount: 100 }) as unknown;
  for (const problem of validateWith(compileSchema(gatewaySchema), config)) {
    problems.add('LG_ERR_CONFIG_SCHEMA', problem.pointer, { reason: problem.message });
  }
  problems.throwIfAny();

  return {
    file,
    dir,
    text,
    hash: createHash('sha256').update(text).digest('hex'),
    config: config as GatewayConfig,
    locate,
  };
}

export async function loadConfigFile(file: string, env: Environment = process.env): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    throw new ConfigError([{
      code: 'LG_ERR_CONFIG_FILE', file: absolute, line: 1, column: 1, pointer: '',
      message: `Cannot read the config file ${absolute}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    }]);
  }
  return parseConfigText(text, absolute, env);
}
