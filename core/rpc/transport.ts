/**
 * One POST to one instance over a shared undici Agent (keep-alive connections per origin), with
 * the caller's deadline enforced here: a late answer rejects with LG_ERR_RPC_TIMEOUT and the
 * exchange is aborted. Failures are sorted by what the sender's retry needs to know: a refused
 * or timed-out connect never reached the receiver (`received: false`); a timeout or a
 * connection lost after the request was written may have (`received: true`).
 */
import { Agent } from 'undici';
import { GatewayError, type ErrorCode } from '../errors.js';

export interface TransportOptions {
  /** Connections kept per instance. */
  readonly connections?: number;
  readonly connectTimeoutMs?: number;
  readonly keepAliveMs?: number;
}

export interface Endpoint {
  readonly application: string;
  /** `host:port`. */
  readonly instance: string;
}

export interface Exchange {
  readonly httpStatus: number;
  readonly text: string;
}

const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
const HEADERS = { 'content-type': 'application/json;charset=UTF-8', accept: 'application/json' };

export function originOf(instance: string): string {
  const colon = instance.lastIndexOf(':');
  const host = instance.slice(0, colon);
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}${instance.slice(colon)}`;
}

function failure(code: ErrorCode, endpoint: Endpoint, received: boolean, cause: unknown, extra: Record<string, string | number> = {}): GatewayError {
  return new GatewayError(code, { ...endpoint, ...extra }, { cause, data: { application: endpoint.application, instance: endpoint.instance, retryable: true, received } });
}

function errorCode(error: unknown): string | undefined {
  const seen = error as { code?: string; cause?: { code?: string } } | undefined;
  return seen?.code ?? seen?.cause?.code;
}

export class RpcTransport {
  private readonly agent: Agent;

  constructor(options: TransportOptions = {}) {
    this.agent = new Agent({
      connections: options.connections ?? 64,
      keepAliveTimeout: options.keepAliveMs ?? 30_000,
      connect: { timeout: options.connectTimeoutMs ?? 5000 },
    });
  }

  /** POSTs `body` to `path` on the endpoint; `type` names the message in a timeout error. */
  async post(endpoint: Endpoint, path: string, body: string, timeoutMs: number, type: string): Promise<Exchange> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const response = await this.agent.request({ origin: originOf(endpoint.instance), path, method: 'POST', headers: HEADERS, body, signal: controller.signal });
      const text = await response.body.text();
      return { httpStatus: response.statusCode, text };
    } catch (error) {
      if (timedOut) throw failure('LG_ERR_RPC_TIMEOUT', endpoint, true, error, { type, target: endpoint.instance, timeout: timeoutMs });
      const code = errorCode(error);
      if (code !== undefined && NOT_CONNECTED.has(code)) throw failure('LG_ERR_RPC_CONNECT', endpoint, false, error);
      throw failure('LG_ERR_RPC_CONNECTION_LOST', endpoint, true, error);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  async destroy(): Promise<void> {
    await this.agent.destroy();
  }
}
