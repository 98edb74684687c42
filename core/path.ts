/**
 * The one path normaliser. Routing, the security lists, WebSocket routing and forwarding all use
 * the path it returns, so the path a decision was made on is the path the upstream receives
 * (spec/security-cases.md, "decision path ≠ forwarded path").
 *
 * What it does (RFC 3986 §6.2.2 plus our refusals):
 *   - origin-form only: absolute-form (`http://…`) and `*` are refused;
 *   - `\`, NUL and control characters are refused, raw or encoded (%00);
 *   - encoded separators (%2F, %5C) and encoded dot segments (%2e, %2E%2e, …) are refused;
 *   - escapes of unreserved characters are decoded (`%61` → `a`), other escapes upper-cased;
 *   - bytes outside printable ASCII are percent-encoded;
 *   - `//` is merged; `.` and `..` are resolved; a `..` above the root is refused.
 * The result is a fixed point: normalisePath(normalisePath(p)) === normalisePath(p).
 */
import { GatewayError } from './errors.js';

export interface RequestTarget {
  /** The normalised path, always starting with `/`. */
  readonly path: string;
  /** The query without its `?`, validated and with non-ASCII bytes encoded; '' when absent. */
  readonly query: string;
}

/** Anything that might need work; paths without these characters are already normal. */
const NEEDS_WORK = /[%\\\x00-\x20\x7f-\uffff]|\/\/|\/\.\.?(?:\/|$)/;
const UNRESERVED = /[A-Za-z0-9\-._~]/;
const HEX = '0123456789ABCDEF';

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

function encodeByte(byte: number): string {
  return '%' + HEX[byte >> 4] + HEX[byte & 15];
}

/** Decodes unreserved escapes and validates the rest; returns the canonical segment. */
function canonicalSegment(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code === 0x25 /* % */) {
      const high = hexValue(raw.charCodeAt(i + 1));
      const low = hexValue(raw.charCodeAt(i + 2));
      if (high < 0 || low < 0) throw new GatewayError('LG_ERR_PATH_BAD_ENCODING');
      const byte = high * 16 + low;
      if (byte === 0x2f || byte === 0x5c) throw new GatewayError('LG_ERR_PATH_ENCODED_SEPARATOR');
      if (byte === 0x00) throw new GatewayError('LG_ERR_PATH_FORBIDDEN_CHARACTER');
      const char = String.fromCharCode(byte);
      out += UNRESERVED.test(char) ? char : encodeByte(byte);
      i += 2;
    } else if (code === 0x5c || code < 0x20 || code === 0x7f) {
      throw new GatewayError('LG_ERR_PATH_FORBIDDEN_CHARACTER');
    } else if (code > 0x7e || code === 0x20) {
      // Node hands us the request line as latin1, so each char is one byte.
      if (code > 0xff) throw new GatewayError('LG_ERR_PATH_FORBIDDEN_CHARACTER');
      out += encodeByte(code);
    } else {
      out += raw[i];
    }
  }
  if ((out === '.' || out === '..') && raw !== out) throw new GatewayError('LG_ERR_PATH_ENCODED_DOT_SEGMENT');
  return out;
}

export function normalisePath(rawPath: string): string {
  if (rawPath.charCodeAt(0) !== 0x2f) throw new GatewayError('LG_ERR_PATH_ABSOLUTE_FORM');
  if (!NEEDS_WORK.test(rawPath)) return rawPath;

  const rawSegments = rawPath.split('/');
  const output: string[] = [];
  let trailingSlash = false;
  // rawSegments[0] is the empty string before the leading '/'.
  for (let i = 1; i < rawSegments.length; i++) {
    const segment = canonicalSegment(rawSegments[i]!);
    const last = i === rawSegments.length - 1;
    if (segment === '' || segment === '.') {
      if (last) trailingSlash = true;
      continue;
    }
    if (segment === '..') {
      if (output.length === 0) throw new GatewayError('LG_ERR_PATH_TRAVERSAL');
      output.pop();
      if (last) trailingSlash = true;
      continue;
    }
    output.push(segment);
    trailingSlash = false;
  }
  if (output.length === 0) return '/';
  return '/' + output.join('/') + (trailingSlash ? '/' : '');
}

const QUERY_NEEDS_WORK = /[\x00-\x20\x7f-\uffff#]/;

export function normaliseQuery(rawQuery: string): string {
  if (!QUERY_NEEDS_WORK.test(rawQuery)) return rawQuery;
  let out = '';
  for (let i = 0; i < rawQuery.length; i++) {
    const code = rawQuery.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code > 0xff) throw new GatewayError('LG_ERR_PATH_FORBIDDEN_CHARACTER');
    out += code > 0x7e || code === 0x20 || code === 0x23 ? encodeByte(code) : rawQuery[i];
  }
  return out;
}

/** Splits and normalises a raw request target (`req.url`). */
export function normaliseTarget(rawTarget: string): RequestTarget {
  const mark = rawTarget.indexOf('?');
  if (mark === -1) return { path: normalisePath(rawTarget), query: '' };
  return {
    path: normalisePath(rawTarget.slice(0, mark)),
    query: normaliseQuery(rawTarget.slice(mark + 1)),
  };
}

/** The path and query as sent upstream. */
export function targetToString(target: RequestTarget): string {
  return target.query === '' ? target.path : `${target.path}?${target.query}`;
}
