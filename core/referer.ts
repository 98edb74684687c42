/**
 * The referer check (`security.referer`, Linkis `wds.linkis.server.security.referer.validate`):
 * a request must carry a Referer whose host is listed, and use one of Linkis's accepted verbs.
 * Entries are host names (`good.com`), `host:port`, or origins (`https://good.com`), compared
 * exactly: Linkis's substring test let `good.com.evil.net` through.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { canonicalOrigin } from './cors.js';
import { GatewayError } from './errors.js';

/** Linkis refuses every other verb (PATCH included) when the check is on. */
const ACCEPTED_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'TRACE', 'CONNECT', 'OPTIONS']);

export class RefererPolicy {
  private readonly hosts = new Set<string>();
  private readonly origins = new Set<string>();

  constructor(allow: readonly string[]) {
    for (const entry of allow) {
      const origin = entry.includes('://') ? canonicalOrigin(entry) : undefined;
      if (origin) this.origins.add(origin);
      else this.hosts.add(entry.trim().toLowerCase());
    }
  }

  check(method: string, headers: IncomingHttpHeaders): void {
    if (!ACCEPTED_METHODS.has(method)) throw new GatewayError('LG_ERR_REFERER_BAD_METHOD');
    const referer = headers.referer;
    if (referer === undefined || referer === '') {
      // A WebSocket handshake is exempt, as in Linkis.
      if (headers.upgrade?.toLowerCase() === 'websocket') return;
      throw new GatewayError('LG_ERR_REFERER_MISSING');
    }
    if (!this.allows(referer)) throw new GatewayError('LG_ERR_REFERER_NOT_ALLOWED');
  }

  private allows(referer: string): boolean {
    let url: URL;
    try {
      url = new URL(referer);
    } catch {
      return false;
    }
    return this.origins.has(url.origin) || this.hosts.has(url.host) || this.hosts.has(url.hostname);
  }
}
