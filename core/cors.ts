/**
 * CORS (`security.cors`), compiled once per config version. With `origins` listed the gateway
 * owns CORS: a listed origin is echoed back (with `Vary: Origin`), an unlisted one gets no CORS
 * header at all, and preflights are answered here without authentication (a browser sends no
 * credentials on them). `*` is accepted only with `credentials: false`; the config check refuses
 * it otherwise. With `origins: []` the gateway adds nothing and leaves CORS to the upstreams.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayConfig } from './config-types.js';

export type CorsConfig = GatewayConfig['security']['cors'];

/** `https://Example.com:443/` → `https://example.com`; undefined when it is not an origin. */
export function canonicalOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return undefined;
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return undefined;
  return url.origin;
}

export class CorsPolicy {
  readonly enabled: boolean;
  private readonly origins: ReadonlySet<string>;
  private readonly anyOrigin: boolean;
  private readonly preflightHeaders: Readonly<Record<string, string>>;

  constructor(private readonly config: CorsConfig) {
    this.enabled = config.origins.length > 0;
    this.anyOrigin = !config.credentials && config.origins.includes('*');
    this.origins = new Set(config.origins.flatMap((origin) => canonicalOrigin(origin) ?? []));
    this.preflightHeaders = {
      'access-control-allow-methods': config.methods.join(', '),
      'access-control-allow-headers': config.headers.join(','),
      'access-control-max-age': String(Math.floor(config.maxAge / 1000)),
    };
  }

  /** The value for Access-Control-Allow-Origin, or undefined for an origin that is not listed. */
  allowedOrigin(origin: string | undefined): string | undefined {
    if (origin === undefined) return undefined;
    if (this.anyOrigin) return '*';
    // Browsers send the serialised origin; canonicalise anyway so `HTTPS://X` cannot slip past.
    const canonical = this.origins.has(origin) ? origin : canonicalOrigin(origin);
    return canonical !== undefined && this.origins.has(canonical) ? canonical : undefined;
  }

  static isPreflight(req: IncomingMessage): boolean {
    return req.method === 'OPTIONS' && req.headers.origin !== undefined && req.headers['access-control-request-method'] !== undefined;
  }

  /** Adds the CORS headers every answer carries, proxied or written by the gateway. */
  decorate(req: IncomingMessage, res: ServerResponse): void {
    if (!this.enabled) return;
    const allowed = this.allowedOrigin(req.headers.origin);
    res.setHeader('vary', 'Origin');
    if (allowed === undefined) return;
    res.setHeader('access-control-allow-origin', allowed);
    if (this.config.credentials) res.setHeader('access-control-allow-credentials', 'true');
  }

  /** Answers a preflight (after `decorate`); false when the request is not one or CORS is off. */
  answerPreflight(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.enabled || !CorsPolicy.isPreflight(req)) return false;
    const allowed = res.hasHeader('access-control-allow-origin');
    res.writeHead(204, allowed ? { ...this.preflightHeaders, 'content-length': '0' } : { 'content-length': '0' });
    res.end();
    return true;
  }
}
