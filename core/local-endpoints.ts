/**
 * Endpoints the gateway answers itself on its public listener (Linkis user endpoints, the
 * gateway heartbeat, the instance-label API). They are never forwarded. `public` ones run before
 * authentication (login, logout, baseinfo); the others after it, whatever the pass-through list
 * says, and `admin` ones only for admin principals.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthRequest, Principal } from './contracts.js';
import type { ClientAddress } from './client-address.js';
import type { EnvelopeBody } from './envelope.js';
import type { RequestTarget } from './path.js';
import type { Pipeline } from './pipeline.js';

export type EndpointAccess = 'public' | 'user' | 'admin';

export interface LocalRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly pipeline: Pipeline;
  readonly target: RequestTarget;
  readonly client: ClientAddress;
  readonly cookies: Readonly<Record<string, string>>;
  /** The request as auth strategies see it (login, token-login, logout). */
  readonly auth: AuthRequest;
  /** Set for `user` and `admin` endpoints; for `public` ones when credentials were valid. */
  readonly principal: Principal | undefined;
  /**
   * Writes the envelope with `method` = the request path, as Linkis answers its own endpoints
   * (refusals thrown by a handler get the same); `headers` may add Set-Cookie etc.
   */
  reply(httpStatus: number, body: EnvelopeBody, headers?: Record<string, string | string[]>): void;
}

export interface LocalEndpoint {
  readonly name: string;
  /** An exact normalised path, or a regex tested against it. */
  readonly path: string | RegExp;
  readonly access: EndpointAccess;
  handle(request: LocalRequest): void | Promise<void>;
}

export class LocalEndpoints {
  private readonly exact = new Map<string, LocalEndpoint>();
  private readonly patterns: LocalEndpoint[] = [];

  constructor(endpoints: Iterable<LocalEndpoint> = []) {
    for (const endpoint of endpoints) this.add(endpoint);
  }

  add(endpoint: LocalEndpoint): void {
    if (typeof endpoint.path === 'string') {
      if (this.exact.has(endpoint.path)) throw new Error(`two local endpoints at ${endpoint.path}`);
      this.exact.set(endpoint.path, endpoint);
    } else {
      this.patterns.push(endpoint);
    }
  }

  /** Every endpoint, exact paths first (S28 enumerates them). */
  list(): LocalEndpoint[] {
    return [...this.exact.values(), ...this.patterns];
  }

  find(path: string): LocalEndpoint | undefined {
    const exact = this.exact.get(path);
    if (exact) return exact;
    for (const endpoint of this.patterns) if ((endpoint.path as RegExp).test(path)) return endpoint;
    return undefined;
  }
}
