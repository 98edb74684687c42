/**
 * Forwarding: one undici Pool per upstream origin (keep-alive), the request body streamed up and
 * the response streamed back with backpressure, hop-by-hop headers dropped both ways.
 *
 *   client ──req.raw──► undici Pool(origin) ──► upstream
 *   client ◄──res.write── onResponseData ◄──────┘   (pause upstream when res is full)
 *
 * Errors before the upstream answered become envelopes (502/504); after that the client socket
 * is destroyed, since a half-sent response cannot be turned into an error.
 */
import type { ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { Pool, type Dispatcher } from 'undici';
import { instanceAt, type Forward, type ForwardCall } from './contracts.js';
import { GatewayError, type ErrorCode } from './errors.js';
import type { GatewayConfig } from './config-types.js';
import type { InstanceView } from './registry/snapshot.js';

export type UpstreamSettings = GatewayConfig['upstream'];

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus `expect`. */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'proxy-authorization', 'proxy-authenticate', 'http2-settings', 'expect', 'host',
]);

export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name);
}

/** Response headers minus hop-by-hop ones and those the Connection header names. */
export function responseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const connection = headers.connection;
  const listed = connection ? new Set(String(connection).toLowerCase().split(',').map((s) => s.trim())) : undefined;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || (HOP_BY_HOP.has(name) && name !== 'host') || listed?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** Process-wide pools keyed by origin; replaced as a whole when upstream settings change. */
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();
  private readonly options: Pool.Options;

  constructor(readonly settings: UpstreamSettings, resolvePath: (file: string) => string = (file) => file) {
    const ca = settings.tls.ca ? readFileSync(resolvePath(settings.tls.ca), 'utf8') : undefined;
    this.options = {
      connections: settings.connections,
      keepAliveTimeout: settings.keepAliveTimeout,
      headersTimeout: settings.headersTimeout,
      bodyTimeout: settings.bodyTimeout,
      connect: { timeout: settings.connectTimeout, rejectUnauthorized: settings.tls.rejectUnauthorized, ...(ca ? { ca } : {}) },
    };
  }

  get(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, this.options);
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** Lets in-flight requests finish, then closes every connection. */
  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((pool) => pool.close()));
  }

  async destroy(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((pool) => pool.destroy()));
  }
}

function upstreamErrorCode(error: Error & { code?: string }): ErrorCode {
  switch (error.code) {
    case 'UND_ERR_CONNECT_TIMEOUT': return 'LG_ERR_UPSTREAM_CONNECT_TIMEOUT';
    case 'UND_ERR_HEADERS_TIMEOUT': return 'LG_ERR_UPSTREAM_HEADERS_TIMEOUT';
    case 'UND_ERR_INVALID_ARG': return 'LG_ERR_HEADER_INJECTION';
    case 'ECONNREFUSED': case 'ENOTFOUND': case 'EHOSTUNREACH': case 'ENETUNREACH': case 'EAI_AGAIN':
      return 'LG_ERR_UPSTREAM_CONNECT';
    default:
      return /certificate|self[- ]signed|TLS|SSL/i.test(error.message) || error.code?.startsWith('ERR_TLS') || error.code?.includes('CERT')
        ? 'LG_ERR_UPSTREAM_CONNECT'
        : 'LG_ERR_UPSTREAM_RESET';
  }
}

/** Streams one upstream response into the client response. */
class ResponseRelay implements Dispatcher.DispatchHandler {
  private started = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly settle: (error?: GatewayError) => void,
    private readonly describe: () => Record<string, string>,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // The client went away: stop the upstream exchange too.
    this.res.once('close', () => {
      if (!this.res.writableFinished && !controller.aborted) controller.abort(new Error('client closed the connection'));
    });
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    if (statusCode < 200) return; // 1xx informational answers are not relayed
    this.started = true;
    if (statusMessage) this.res.statusMessage = statusMessage;
    this.res.writeHead(statusCode, responseHeaders(headers));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', () => controller.resume());
    }
  }

  onResponseEnd(): void {
    this.res.end();
    this.settle();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error & { code?: string }): void {
    if (this.started || this.res.destroyed) {
      this.res.destroy();
      this.settle();
      return;
    }
    this.settle(new GatewayError(upstreamErrorCode(error), this.describe(), { cause: error }));
  }
}

/**
 * Sees every attempt the innermost Forward makes, whichever interceptors retried it: upstream
 * errors and retries are counted per instance here (core/telemetry/exchange.ts).
 */
export interface UpstreamObserver {
  attempt(call: ForwardCall, upstream: InstanceView): void;
  failed(call: ForwardCall, upstream: InstanceView, error: GatewayError): void;
}

/** The innermost Forward: sends the call to `instanceAt(choice, attempt)` and relays the answer. */
export function createForward(pools: UpstreamPools, observer?: UpstreamObserver): Forward {
  return (call) => new Promise<void>((resolve, reject) => {
    const instance = instanceAt(call.choice, call.attempt);
    observer?.attempt(call, instance);
    const fail = (error: GatewayError) => {
      observer?.failed(call, instance, error);
      reject(error);
    };
    const relay = new ResponseRelay(
      call.response,
      (error) => (error ? fail(error) : resolve()),
      () => ({ instance: instance.hostPort, application: call.choice.application }),
    );
    const { request } = call;
    try {
      pools.get(instance.origin).dispatch({
        method: request.method as Dispatcher.HttpMethod,
        path: request.target,
        headers: request.headers as Record<string, string | string[]>,
        body: request.body,
      }, relay);
    } catch (error) {
      fail(new GatewayError(upstreamErrorCode(error as Error & { code?: string }), { instance: instance.hostPort, application: call.choice.application }, { cause: error }));
    }
  });
}
