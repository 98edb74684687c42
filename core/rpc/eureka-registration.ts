/**
 * Registers this service with a Eureka server and keeps it registered, speaking the wire of
 * spec/eureka-and-etcd.md §2 with undici (eureka-js-client pulls in the deprecated `request`):
 *
 *   POST   apps/APP      {"instance": {…}}  → 204     at start, and whenever a heartbeat gets 404
 *   PUT    apps/APP/ID                      → 200     every heartbeatMs
 *   DELETE apps/APP/ID                      → 200     at close, so senders stop choosing us at once
 *
 * The instance id is `host:port` (Linkis's instance name). A failed heartbeat is logged and
 * retried at the next tick; the lease (leaseSeconds) is what survives a short outage.
 */
import { request } from 'undici';
import type { Logger } from '../contracts.js';
import { DEFAULT_DATA_CENTER_CLASS } from '../registry/eureka-codec.js';
import { splitCredentials } from '../registry/upstream-eureka.js';
import { GatewayError } from '../errors.js';

export interface RegistrationOptions {
  readonly url: string;
  readonly application: string;
  readonly host: string;
  readonly port: number;
  readonly heartbeatMs: number;
  readonly leaseSeconds: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly logger: Logger;
}

const TIMEOUT = 5000;

export class EurekaRegistration {
  readonly instanceId: string;
  private readonly base: string;
  private readonly authorization: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private beating = false;

  constructor(private readonly options: RegistrationOptions) {
    const { base, authorization } = splitCredentials(options.url);
    this.base = base;
    this.authorization = authorization;
    this.instanceId = `${options.host}:${options.port}`;
  }

  /** Registers (rejecting with LG_ERR_RPC_EUREKA when refused) and starts the heartbeats. */
  async start(): Promise<void> {
    await this.register();
    this.timer = setInterval(() => void this.heartbeat(), this.options.heartbeatMs);
    this.timer.unref();
  }

  /** Stops the heartbeats and cancels the registration; a failure is logged, never thrown. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    try {
      const status = await this.call('DELETE', this.instancePath());
      if (status !== 200 && status !== 404) this.options.logger.warn({ status }, 'Eureka did not take the cancel; the lease will expire');
    } catch (error) {
      this.options.logger.warn({ err: error }, 'cannot cancel the Eureka registration; the lease will expire');
    }
  }

  async register(): Promise<void> {
    const { application, host, port, heartbeatMs, leaseSeconds, metadata } = this.options;
    const body = {
      instance: {
        instanceId: this.instanceId, app: application.toUpperCase(), hostName: host, ipAddr: host, vipAddress: application,
        status: 'UP', port: { $: port, '@enabled': 'true' },
        dataCenterInfo: { '@class': DEFAULT_DATA_CENTER_CLASS, name: 'MyOwn' },
        leaseInfo: { renewalIntervalInSecs: Math.max(1, Math.round(heartbeatMs / 1000)), durationInSecs: leaseSeconds },
        metadata,
      },
    };
    let status: number;
    try {
      status = await this.call('POST', `apps/${encodeURIComponent(application.toUpperCase())}`, JSON.stringify(body));
    } catch (error) {
      throw new GatewayError('LG_ERR_RPC_EUREKA', { url: this.base, action: 'the registration', reason: (error as Error).message }, { cause: error });
    }
    if (status !== 204) throw new GatewayError('LG_ERR_RPC_EUREKA', { url: this.base, action: 'the registration', reason: `HTTP ${status}` });
  }

  /** One renewal; 404 (the server forgot us: restarted, or the lease ran out) registers again. */
  async heartbeat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      const status = await this.call('PUT', this.instancePath());
      if (status === 404) await this.register();
      else if (status !== 200) this.options.logger.warn({ status }, 'Eureka refused a heartbeat');
    } catch (error) {
      this.options.logger.warn({ err: error }, 'Eureka heartbeat failed; retrying at the next one');
    } finally {
      this.beating = false;
    }
  }

  private instancePath(): string {
    return `apps/${encodeURIComponent(this.options.application.toUpperCase())}/${encodeURIComponent(this.instanceId)}`;
  }

  private async call(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: string): Promise<number> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.authorization) headers.authorization = this.authorization;
    const response = await request(new URL(path, this.base), { method, headers, body, headersTimeout: TIMEOUT, bodyTimeout: TIMEOUT });
    await response.body.dump();
    return response.statusCode;
  }
}
