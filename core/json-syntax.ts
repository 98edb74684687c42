/**
 * Where a request body stops being JSON, as a byte offset with line and column, for the 400
 * envelope. V8's JSON.parse messages give a position only for some errors and quote the body
 * for others, so the body is re-read here, on the error path only, by a small validating
 * scanner (RFC 8259), iterative so that deep nesting cannot overflow the stack.
 */

export interface JsonSyntaxError {
  /** 0-based byte offset of the first byte that is not JSON. */
  readonly position: number;
  /** 1-based line and column (in bytes) of that byte. */
  readonly line: number;
  readonly column: number;
  readonly reason: string;
}

const enum Expect { Value, Key, Colon, Next }

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const ESCAPES = new Set([...'"\\/bfnrtu'].map((c) => c.charCodeAt(0)));
const LITERALS: readonly (readonly [number, Uint8Array])[] = ['true', 'false', 'null'].map((word) => [word.charCodeAt(0), Buffer.from(word)]);

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

function describeByte(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? `'${String.fromCharCode(byte)}'` : `byte 0x${byte.toString(16).padStart(2, '0')}`;
}

function at(bytes: Uint8Array, position: number, reason: string): JsonSyntaxError {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < position; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { position, line, column: position - lineStart + 1, reason };
}

/** The offset after a string starting at `start` (a quote), or the error inside it. */
function scanString(bytes: Uint8Array, start: number): number | [number, string] {
  for (let i = start + 1; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === 0x22) return i + 1;
    if (byte < 0x20) return [i, `${describeByte(byte)} must be escaped inside a string`];
    if (byte !== 0x5c) continue;
    const escaped = bytes[++i];
    if (escaped === undefined || !ESCAPES.has(escaped)) return [i, 'invalid escape sequence'];
    if (escaped === 0x75) {
      for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(String.fromCharCode(bytes[i + k] ?? 0))) return [i + k, 'invalid \\u escape'];
      i += 4;
    }
  }
  return [bytes.length, 'unterminated string'];
}

/** The offset after a number starting at `start`, or the error inside it. */
function scanNumber(bytes: Uint8Array, start: number): number | [number, string] {
  let i = start;
  if (bytes[i] === 0x2d) i++;
  if (bytes[i] === 0x30) i++;
  else if (isDigit(bytes[i])) while (isDigit(bytes[i])) i++;
  else return [i, 'a number needs digits'];
  if (bytes[i] === 0x2e) {
    if (!isDigit(bytes[++i])) return [i, 'a digit must follow the decimal point'];
    while (isDigit(bytes[i])) i++;
  }
  if (bytes[i] === 0x65 || bytes[i] === 0x45) {
    i++;
    if (bytes[i] === 0x2b || bytes[i] === 0x2d) i++;
    if (!isDigit(bytes[i])) return [i, 'an exponent needs digits'];
    while (isDigit(bytes[i])) i++;
  }
  return i;
}

function scanLiteral(bytes: Uint8Array, start: number): number | [number, string] {
  const word = LITERALS.find(([first]) => first === bytes[start])?.[1];
  if (!word) return [start, `unexpected ${describeByte(bytes[start]!)}`];
  for (let k = 0; k < word.length; k++) if (bytes[start + k] !== word[k]) return [start + k, `unexpected ${start + k < bytes.length ? describeByte(bytes[start + k]!) : 'end of the body'}`];
  return start + word.length;
}

function scanScalar(bytes: Uint8Array, start: number): number | [number, string] {
  const byte = bytes[start]!;
  if (byte === 0x22) return scanString(bytes, start);
  if (byte === 0x2d || isDigit(byte)) return scanNumber(bytes, start);
  return scanLiteral(bytes, start);
}

/** The first syntax error in `bytes`, or undefined when they are one well-formed JSON text. */
export function locateJsonError(bytes: Uint8Array): JsonSyntaxError | undefined {
  const open: number[] = [];
  let expect = Expect.Value;
  let justOpened = false;
  let i = 0;
  for (;;) {
    while (i < bytes.length && WHITESPACE.has(bytes[i]!)) i++;
    if (i >= bytes.length) {
      if (expect === Expect.Next && open.length === 0) return undefined;
      return at(bytes, i, bytes.length === 0 ? 'the body is empty' : 'unexpected end of the body');
    }
    const byte = bytes[i]!;
    const top = open.at(-1);
    const closes = (byte === 0x7d && top === 0x7b) || (byte === 0x5d && top === 0x5b);
    if (closes && (expect === Expect.Next || (justOpened && expect !== Expect.Colon))) {
      open.pop();
      i++;
      expect = Expect.Next;
      justOpened = false;
      continue;
    }
    justOpened = false;
    if (expect === Expect.Next) {
      if (top === undefined) return at(bytes, i, 'unexpected data after the JSON value');
      if (byte !== 0x2c) return at(bytes, i, `expected ',' or '${top === 0x7b ? '}' : ']'}' but found ${describeByte(byte)}`);
      i++;
      expect = top === 0x7b ? Expect.Key : Expect.Value;
      continue;
    }
    if (expect === Expect.Colon) {
      if (byte !== 0x3a) return at(bytes, i, `expected ':' but found ${describeByte(byte)}`);
      i++;
      expect = Expect.Value;
      continue;
    }
    if (expect === Expect.Key && byte !== 0x22) return at(bytes, i, `expected a property name in double quotes but found ${describeByte(byte)}`);
    if (expect === Expect.Value && (byte === 0x7b || byte === 0x5b)) {
      open.push(byte);
      i++;
      expect = byte === 0x7b ? Expect.Key : Expect.Value;
      justOpened = true;
      continue;
    }
    const end = scanScalar(bytes, i);
    if (typeof end !== 'number') return at(bytes, end[0], end[1]);
    i = end;
    expect = expect === Expect.Key ? Expect.Colon : Expect.Next;
  }
}

/** Where UTF-8 decoding fails (RFC 3629: no overlongs, surrogates or code points above U+10FFFF). */
export function locateUtf8Error(bytes: Uint8Array): JsonSyntaxError | undefined {
  for (let i = 0; i < bytes.length;) {
    const byte = bytes[i]!;
    if (byte < 0x80) {
      i++;
      continue;
    }
    const length = byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 0;
    if (length === 0) return at(bytes, i, 'the body is not valid UTF-8');
    // The second byte's range depends on the first (RFC 3629 §4).
    const low = byte === 0xe0 ? 0xa0 : byte === 0xf0 ? 0x90 : 0x80;
    const high = byte === 0xed ? 0x9f : byte === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      const [min, max] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (next === undefined || next < min || next > max) return at(bytes, i + k, 'the body is not valid UTF-8');
    }
    i += length;
  }
  return undefined;
}
