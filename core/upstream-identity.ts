/**
 * Who the upstream is told the caller is. The gateway owns these headers and cookies; whatever
 * the client sent under their names is dropped:
 *
 *   X-Linkis-User                 the authenticated user (on pass-through routes: the user of a
 *                                 valid session cookie, if any)
 *   Cookie <session cookie>       the principal's ticket: the client's own verified ticket for
 *                                 session requests, a gateway-minted one otherwise (Linkis adds one
 *                                 for token requests); dropped when nobody was authenticated
 *   Cookie dataworkcloud_inner_request=true
 *                                 Linkis's "came through the gateway" flag, added only next to a
 *                                 ticket the gateway vouches for. A client-sent copy never passes
 *                                 (Linkis's "vuln B": a forged flag made backends accept expired tickets).
 */
import type { Principal } from './contracts.js';
import { assertSafeHeaderValue } from './outbound-headers.js';

export const USER_HEADER = 'x-linkis-user';
export const INNER_REQUEST_COOKIE = 'dataworkcloud_inner_request';

/** The Cookie header without the gateway-owned cookies `ticketCookie` and the inner-request flag; '' when nothing is left. */
export function withoutGatewayCookies(header: string, ticketCookie: string): string {
  const kept: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim();
    if (name !== '' && name !== ticketCookie && name !== INNER_REQUEST_COOKIE) kept.push(part.trim());
  }
  return kept.join('; ');
}

/**
 * Sets the identity headers on an outbound header set (already free of the client's
 * X-Linkis-User). `mint` supplies a ticket for principals that came without one.
 */
export function applyUpstreamIdentity(
  headers: Record<string, string | string[]>,
  principal: Principal | undefined,
  ticketCookie: string,
  mint: ((user: string) => string) | undefined,
): void {
  const incoming = Array.isArray(headers.cookie) ? headers.cookie.join('; ') : headers.cookie;
  let cookie = incoming;
  if (incoming !== undefined && (incoming.includes(ticketCookie) || incoming.includes(INNER_REQUEST_COOKIE))) {
    cookie = withoutGatewayCookies(incoming, ticketCookie);
  }
  if (principal) {
    assertSafeHeaderValue(principal.user);
    headers[USER_HEADER] = principal.user;
    const ticket = principal.ticket ?? mint?.(principal.user);
    if (ticket !== undefined) {
      const ours = `${ticketCookie}=${ticket}; ${INNER_REQUEST_COOKIE}=true`;
      cookie = cookie ? `${cookie}; ${ours}` : ours;
    }
  }
  if (cookie === undefined || cookie === '') {
    delete headers.cookie;
    return;
  }
  if (cookie !== incoming) assertSafeHeaderValue(cookie);
  headers.cookie = cookie;
}
