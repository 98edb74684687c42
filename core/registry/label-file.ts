/**
 * `labels.file`: where the memory store keeps operator labels across restarts. Written whole,
 * to a temporary file renamed over the old one, so a crash mid-write leaves the previous
 * version rather than half a file. A file that exists but cannot be parsed refuses start-up:
 * silently routing without the operator's labels (tenant isolation, graceful offline) would
 * send traffic where it was explicitly kept away from.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GatewayError } from '../errors.js';

export interface PersistedLabels {
  readonly app: string;
  readonly instance: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly updatedAt: number;
}

const FORMAT_VERSION = 1;

function fail(file: string, reason: string, cause?: unknown): never {
  throw new GatewayError('LG_ERR_REGISTRY_LABELS_FILE', { file, reason }, { cause });
}

function isStringMap(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

function parseEntry(file: string, value: unknown, index: number): PersistedLabels {
  const entry = value as Partial<PersistedLabels> | null;
  if (typeof entry !== 'object' || entry === null) fail(file, `entry ${index} is not an object`);
  if (typeof entry.app !== 'string' || entry.app === '') fail(file, `entry ${index} has no "app"`);
  if (typeof entry.instance !== 'string' || entry.instance === '') fail(file, `entry ${index} has no "instance"`);
  if (!isStringMap(entry.labels)) fail(file, `entry ${index}: "labels" must map names to strings`);
  const updatedAt = typeof entry.updatedAt === 'number' ? entry.updatedAt : 0;
  return { app: entry.app, instance: entry.instance, labels: entry.labels, updatedAt };
}

/** The entries in `file`; none when it does not exist yet. */
export async function readLabelsFile(file: string): Promise<PersistedLabels[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    fail(file, (error as NodeJS.ErrnoException).code ?? (error as Error).message, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    fail(file, `not JSON (${(error as Error).message})`, error);
  }
  const document = json as { version?: unknown; labels?: unknown } | null;
  if (typeof document !== 'object' || document === null || !Array.isArray(document.labels)) {
    fail(file, 'expected {"version": 1, "labels": [...]}');
  }
  if (document.version !== FORMAT_VERSION) fail(file, `unsupported version ${JSON.stringify(document.version)}`);
  return document.labels.map((entry, index) => parseEntry(file, entry, index));
}

export async function writeLabelsFile(file: string, entries: readonly PersistedLabels[]): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const sorted = [...entries].sort((a, b) => a.app.localeCompare(b.app) || a.instance.localeCompare(b.instance));
  const text = JSON.stringify({ version: FORMAT_VERSION, labels: sorted }, null, 2) + '\n';
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode: 0o644 });
  await rename(temporary, file);
}
