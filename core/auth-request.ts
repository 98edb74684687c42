/**
 * What auth plugins see of a request (the AuthRequest contract), built from the incoming
 * message, its normalised target and the resolved client address. Shared by HTTP requests and
 * WebSocket handshakes; cookies are parsed on first use.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { AuthRequest } from './contracts.js';
import type { ClientAddress } from './client-address.js';
import { parseCookies } from './cookies.js';
import type { RequestTarget } from './path.js';

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

  get cookies(): Readonly<Record<string, string>> {
    this.parsedCookies ??= parseCookies(this.req.headers.cookie);
    return this.parsedCookies;
  }
}
