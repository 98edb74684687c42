/**
 * Close codes that may be sent on a WebSocket. 1005, 1006 and 1015 are reserved: they describe
 * what a peer observed and must never appear in a close frame (sending one throws in `ws`, and
 * forwarding one is how proxies have hung, S24). Out-of-range codes are not sendable either.
 */

const RESERVED_TO_SENDABLE: Readonly<Record<number, number>> = {
  1005: 1000, // no status received: a normal close
  1006: 1011, // abnormal closure: the other side failed
  1015: 1011, // TLS handshake failure
};

/** A code safe to send in a close frame, for one received (or observed) from the other side. */
export function sendableCloseCode(code: number | undefined): number {
  if (code === undefined) return 1000;
  const mapped = RESERVED_TO_SENDABLE[code];
  if (mapped !== undefined) return mapped;
  if ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)) return code;
  return 1011;
}

export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_POLICY_VIOLATION = 1008;
export const CLOSE_TOO_BIG = 1009;
