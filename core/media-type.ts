/**
 * A strict Content-Type parser (RFC 9110 §8.3.1), for bodies checked against a `bodySchema`
 * (spec/security-cases.md S18). The danger is a type the gateway reads one way and the backend
 * another: `APPLICATION/JSON`, `application/json ; charset=utf-8` and tabs are all the same type,
 * so they are all validated; anything we cannot classify with certainty is refused instead of
 * being waved through unvalidated.
 *
 *   media-type = type "/" subtype *( OWS ";" OWS [ parameter ] )
 *   parameter  = token "=" ( token / quoted-string )
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface MediaType {
  /** Lower-cased `type/subtype`. */
  readonly essence: string;
  /** Parameter names lower-cased; values as sent (quoted strings unquoted). */
  readonly parameters: ReadonlyMap<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;
const OWS = /^[ \t]*/;
const QUOTED = /^"((?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*)"/;

/** Parses one Content-Type value; undefined when it is not a well-formed media type. */
export function parseMediaType(text: string): MediaType | undefined {
  const type = TOKEN.exec(text);
  if (!type || text[type[0].length] !== '/') return undefined;
  let rest = text.slice(type[0].length + 1);
  const subtype = TOKEN.exec(rest);
  if (!subtype) return undefined;
  rest = rest.slice(subtype[0].length);
  const parameters = new Map<string, string>();
  for (;;) {
    rest = rest.slice(OWS.exec(rest)![0].length);
    if (rest === '') break;
    if (rest[0] !== ';') return undefined;
    rest = rest.slice(1);
    rest = rest.slice(OWS.exec(rest)![0].length);
    if (rest === '' || rest[0] === ';') continue; // an empty parameter is allowed by the grammar
    const name = TOKEN.exec(rest);
    if (!name || rest[name[0].length] !== '=') return undefined;
    rest = rest.slice(name[0].length + 1);
    const quoted = QUOTED.exec(rest);
    const value = quoted ? quoted[1]!.replace(/\\(.)/g, '$1') : TOKEN.exec(rest)?.[0];
    if (value === undefined) return undefined;
    rest = rest.slice(quoted ? quoted[0].length : value.length);
    const key = name[0].toLowerCase();
    // Two values for one parameter: which one the backend believes is anybody's guess.
    if (parameters.has(key)) return undefined;
    parameters.set(key, value);
  }
  return { essence: `${type[0]}/${subtype[0]}`.toLowerCase(), parameters };
}

export function isJsonEssence(essence: string): boolean {
  return essence === 'application/json' || (essence.startsWith('application/') && essence.endsWith('+json'));
}

/**
 * Why a request's body may not be validated as JSON, or undefined when it may: exactly one
 * Content-Type header, well formed, `application/json` or `application/*+json`, and UTF-8 (the
 * only encoding JSON allows between systems, RFC 8259 §8.1) if a charset is named at all.
 */
export function jsonMediaTypeProblem(headers: IncomingHttpHeaders, rawHeaders: readonly string[]): string | undefined {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === 'content-type') count++;
  // Node keeps the first of several Content-Type headers; a backend may keep the last.
  if (count > 1) return 'more than one Content-Type header';
  const text = headers['content-type'];
  if (text === undefined) return 'no Content-Type header';
  const media = parseMediaType(text);
  if (!media) return 'a malformed Content-Type header';
  if (!isJsonEssence(media.essence)) return `Content-Type ${media.essence.slice(0, 80)}`;
  const charset = media.parameters.get('charset')?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return `charset ${charset.slice(0, 40)}`;
  return undefined;
}
