/**
 * The request id: the `x-request-id` a client (or a proxy in front) sent, when it is safe to
 * repeat in logs and headers, else a fresh UUID. An unsafe id is replaced rather than refused:
 * a tracing header is no reason to fail a request, but it must never carry log or header
 * injection (CR/LF, quotes, unbounded length) into our logs or the upstream's.
 */
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

/** UUIDs, hex and base64 ids, Zipkin/B3 ids, ids with `.`, `:` or `_` separators. */
const SAFE_ID = /^[A-Za-z0-9._~:+/=-]{1,128}$/;

export function isSafeRequestId(value: string): boolean {
  return SAFE_ID.test(value);
}

/** The accepted id, or a new one when the header is absent, repeated or unsafe. */
export function requestIdFor(header: string | string[] | undefined): string {
  return typeof header === 'string' && SAFE_ID.test(header) ? header : randomUUID();
}
