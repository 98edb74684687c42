/**
 * What auth plugins see of a request (the AuthRequest contract), built from the incoming
 * message, its normalised target and the resolved client address. Shared by HTTP requests and
 * WebSocket handshakes; cookies are parsed on first use.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import type { AuthRequest } from './contracts.js';
import type { ClientAddress } from './client-address.js';
import { parseCookies } from './cookies.js';
import { clientHost, clientScheme } from './outbound-headers.js';
import { targetToString, type RequestTarget } from './path.js';

export class IncomingAuthRequest implements AuthRequest {
  private parsedCookies: Record<string, string> | undefined;

  constructor(readonly req: IncomingMessage, readonly target: RequestTarget, readonly client: ClientAddress) {}

  get method(): string {
    return this.req.method ?? 'GET';
  }

  get path(): string {
    return this.target.path;
  }

  get headers(): IncomingHttpHeaders {
    return this.req.headers;
  }

  get clientIp(): string {
    return this.client.ip;
  }

  get socketScheme(): 'http' | 'https' {
    return this.req.socket instanceof TLSSocket ? 'https' : 'http';
  }

  /** The URL the client asked for, built only when asked for (SSO redirects). */
  get requestUrl(): string {
    const host = clientHost(this.req.headers, this.client) ?? 'localhost';
    return `${clientScheme(this.req.headers, this.client, this.socketScheme)}://${host}${targetToString(this.target)}`;
  }

  get cookies(): Readonly<Record<string, string>> {
    this.parsedCookies ??= parseCookies(this.req.headers.cookie);
    return this.parsedCookies;
  }
}
