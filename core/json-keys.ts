/**
 * Duplicate object keys in a JSON body (spec/security-cases.md S19). JSON.parse keeps the last
 * of two equal keys, Jackson and many others the first, so `{"labels":{"route":"a","route":"b"}}`
 * would be routed by one value and served by the other. JSON.parse cannot tell us, so this scan
 * walks the bytes (already known to be valid JSON) and compares decoded keys, so that
 * `"r\u006fute"` and `"route"` are the same key.
 *
 * Scope `routing` checks what routing reads: the top-level `labels` key and the keys inside
 * that object. Scope `frame` is the same for a WebSocket frame, whose body is its `data`: the
 * frame's own keys (`method`, `data`…), then `data.labels` and the keys inside it. Scope `all` checks every object, for bodies a schema validates: the validator
 * sees the parsed value, so every key it judged must be the one the backend reads.
 *
 * Strings are skipped with Buffer#indexOf (native memchr), so the scan costs little more than
 * one pass over the structural bytes.
 */
import { escapePointer } from './json-pointer.js';

export type DuplicateScope = 'routing' | 'frame' | 'all';

export interface DuplicateKey {
  /** JSON pointer of the second occurrence. */
  readonly pointer: string;
  /** Byte offset of the second occurrence's opening quote. */
  readonly position: number;
}

interface Frame {
  readonly isObject: boolean;
  /** Keys seen so far, when this object is checked; undefined when it is not. */
  readonly keys: Set<string> | undefined;
  /** Only in checked frames (and their parents), so pointers can be built. */
  readonly pointer: string;
  key: string;
  index: number;
  expectKey: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Offset of the quote that closes the string opened at `start`. */
function stringEnd(bytes: Buffer, start: number): number {
  let quote = bytes.indexOf(QUOTE, start + 1);
  for (;;) {
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = bytes.indexOf(QUOTE, quote + 1);
  }
}

function decodeKey(bytes: Buffer, start: number, end: number): string {
  const raw = bytes.toString('utf8', start + 1, end);
  return raw.includes('\\') ? (JSON.parse(bytes.toString('utf8', start, end + 1)) as string) : raw;
}

/** Whether the object opened below `parent` (null for the root) has its keys checked. */
function checks(scope: DuplicateScope, parent: Frame | undefined, depth: number): boolean {
  if (scope === 'all' || depth === 0) return true;
  if (!parent!.isObject) return false;
  if (scope === 'routing') return depth === 1 && parent!.key === 'labels';
  return (depth === 1 && parent!.key === 'data') || (depth === 2 && parent!.pointer === '/data' && parent!.key === 'labels');
}

/** Whether a key repeated in a checked object counts (in the routing body's top level, only `labels`). */
function reported(scope: DuplicateScope, depth: number, key: string): boolean {
  if (scope === 'all') return true;
  const bodyDepth = scope === 'frame' ? 1 : 0;
  return depth !== bodyDepth || key === 'labels';
}

/** The first duplicate key within `scope`, or undefined. `bytes` must be valid JSON. */
export function findDuplicateKey(bytes: Buffer, scope: DuplicateScope): DuplicateKey | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    const frame = stack.at(-1);
    if (byte === QUOTE) {
      const end = stringEnd(bytes, i);
      if (frame?.isObject && frame.expectKey && frame.keys) {
        const key = decodeKey(bytes, i, end);
        if (frame.keys.has(key) && reported(scope, stack.length - 1, key)) return { pointer: `${frame.pointer}/${escapePointer(key)}`, position: i };
        frame.keys.add(key);
        frame.key = key;
      } else if (frame?.isObject && frame.expectKey) {
        frame.key = '';
      }
      i = end;
    } else if (byte === 0x7b || byte === 0x5b) {
      const checked = checks(scope, frame, stack.length) || (byte === 0x5b && scope === 'all');
      const segment = frame === undefined ? '' : `/${frame.isObject ? escapePointer(frame.key) : frame.index}`;
      stack.push({
        isObject: byte === 0x7b,
        keys: byte === 0x7b && checked ? new Set() : undefined,
        pointer: frame === undefined ? '' : checked ? frame.pointer + segment : '',
        key: '', index: 0, expectKey: true,
      });
    } else if (byte === 0x7d || byte === 0x5d) {
      stack.pop();
    } else if (byte === 0x3a) {
      frame!.expectKey = false;
    } else if (byte === 0x2c) {
      frame!.expectKey = true;
      frame!.index++;
    }
  }
  return undefined;
}

/** How many keys the JSON text `bytes` (valid JSON) writes, repeated ones included. */
function writtenKeys(bytes: Buffer): number {
  const objects: boolean[] = [];
  let count = 0;
  let expectKey = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === QUOTE) {
      if (expectKey) count++;
      i = stringEnd(bytes, i);
    } else if (byte === 0x7b || byte === 0x5b) {
      objects.push(byte === 0x7b);
      expectKey = byte === 0x7b;
    } else if (byte === 0x7d || byte === 0x5d) {
      objects.pop();
      expectKey = false;
    } else if (byte === 0x3a) {
      expectKey = false;
    } else if (byte === 0x2c) {
      expectKey = objects[objects.length - 1]!;
    }
  }
  return count;
}

/** How many keys the objects of a JSON.parse result hold (walked without recursion: nesting is the text's to choose). */
function parsedKeys(value: unknown): number {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null) continue;
    if (Array.isArray(next)) {
      for (const item of next) pending.push(item);
      continue;
    }
    const keys = Object.keys(next);
    count += keys.length;
    for (const key of keys) pending.push((next as Record<string, unknown>)[key]);
  }
  return count;
}

/**
 * `findDuplicateKey(bytes, 'all')` for a text already parsed into `parsed`. JSON.parse keeps one
 * of equal keys, so the text repeats a key exactly when it writes more keys than the parsed
 * objects hold; counting both is cheaper than collecting every key, and only a text that does
 * repeat one is scanned for where.
 */
export function findDuplicateKeyParsed(bytes: Buffer, parsed: unknown, scope: DuplicateScope = 'all'): DuplicateKey | undefined {
  return writtenKeys(bytes) === parsedKeys(parsed) ? undefined : findDuplicateKey(bytes, scope);
}
