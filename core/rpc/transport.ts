/**
 * One POST to one instance over a shared undici Agent (keep-alive connections per origin), with
 * the caller's deadline enforced here: a late answer rejects with LG_ERR_RPC_TIMEOUT and the
 * exchange is aborted. Failures are sorted by what the sender's retry needs to know: a refused
 * or timed-out connect never reached the receiver (`received: false`); a timeout or a
 * connection lost after the request was written may have (`received: true`).
 */
import { Agent, type Dispatcher } from 'undici';
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

/**
 * Collects one small answer as text. `dispatch` with this handler skips what `request()` builds
 * per response (a Readable body and its consumer): on the RPC hot path that is most of the
 * client's cost. The deadline aborts through the controller undici hands over.
 */
class AnswerCollector implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private abortReason: Error | undefined;
  private statusCode = 0;
  private readonly chunks: Buffer[] = [];

  constructor(private readonly resolve: (exchange: Exchange) => void, private readonly reject: (error: unknown) => void) {}

  abort(reason: Error): void {
    this.abortReason = reason;
    this.controller?.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason) controller.abort(this.abortReason);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.statusCode = statusCode;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    const text = this.chunks.length === 1 ? this.chunks[0]!.toString('utf8') : Buffer.concat(this.chunks).toString('utf8');
    this.resolve({ httpStatus: this.statusCode, text });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.reject(error);
  }
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
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<Exchange>((resolve, reject) => {
        const collector = new AnswerCollector(resolve, reject);
        timer = setTimeout(() => {
          timedOut = true;
          collector.abort(new Error('deadline'));
        }, timeoutMs);
        this.agent.dispatch({ origin: originOf(endpoint.instance), path, method: 'POST', headers: HEADERS, body }, collector);
      });
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
