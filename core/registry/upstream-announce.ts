/**
 * `registry.upstreamEureka[].announce`: this gateway registers itself in that Eureka server as
 * `linkis-mg-gateway` (instance id and address: the `host:port` of its public listener, as the
 * gateway heartbeat lists it), renews every 30 s and cancels on a clean shutdown. Gateways that
 * read the same server then list each other in `/api/rest_j/v1/gateway/heartbeat`.
 *
 *   started ─► POST apps/LINKIS-MG-GATEWAY ─ refused / unreachable ─► log, try again in 5 s
 *                  └─► PUT every 30 s (404: register again)        close ─► DELETE
 *
 * A failing upstream never blocks start or shutdown.
 */
import type { Logger } from '../contracts.js';
import { GATEWAY_APPLICATION, selfHostPort } from '../gateway-heartbeat.js';
import { EurekaRegistration } from '../rpc/eureka-registration.js';

const HEARTBEAT_MS = 30_000;
const LEASE_SECONDS = 90;
const RETRY_MS = 5000;

export class UpstreamAnnouncement {
  private readonly registration: EurekaRegistration;
  private retry: NodeJS.Timeout | undefined;
  private registered = false;
  private closed = false;

  constructor(url: string, listenerUrl: string, private readonly logger: Logger) {
    const hostPort = selfHostPort(listenerUrl);
    const colon = hostPort.lastIndexOf(':');
    this.registration = new EurekaRegistration({
      url, application: GATEWAY_APPLICATION, host: hostPort.slice(0, colon), port: Number(hostPort.slice(colon + 1)),
      heartbeatMs: HEARTBEAT_MS, leaseSeconds: LEASE_SECONDS, metadata: {}, logger,
    });
  }

  start(): void {
    if (this.closed) return;
    this.registration.start().then(() => {
      if (this.closed) return void this.registration.stop();
      this.registered = true;
      this.logger.info({ instance: this.registration.instanceId }, `registered in the upstream Eureka as ${GATEWAY_APPLICATION}`);
    }, (error: unknown) => {
      if (this.closed) return;
      this.logger.warn({ err: error }, `cannot register in the upstream Eureka as ${GATEWAY_APPLICATION}; retrying`);
      this.retry = setTimeout(() => this.start(), RETRY_MS);
      this.retry.unref();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    if (this.registered) await this.registration.stop();
  }
}
