/**
 * Where a sender finds the live instances of an application. `EurekaDiscovery` reads a Eureka
 * server (labelgate's embedded one at the admin listener's `/eureka/`, or any other) the way the
 * Java client does, through the registry's own reader (core/registry/upstream-eureka.ts): one
 * full fetch, then `apps/delta` every `fetchMs`, back to a full fetch when the hash disagrees.
 * `StaticDiscovery` is a fixed list, for tests and for services that need no registry.
 */
import type { Logger } from '../contracts.js';
import { buildSnapshot, type InstanceView, type RegistrySnapshot } from '../registry/snapshot.js';
import { UpstreamEureka } from '../registry/upstream-eureka.js';

export interface Discovery {
  /** `host:port` of every UP instance of the application (case-insensitive name). */
  instances(application: string): readonly string[];
  /** Fetches now (coalesced with a fetch in flight). */
  refresh(): Promise<void>;
  close(): void;
}

export class StaticDiscovery implements Discovery {
  private readonly apps: Map<string, readonly string[]>;

  constructor(apps: Readonly<Record<string, readonly string[]>> = {}) {
    this.apps = new Map(Object.entries(apps).map(([name, instances]) => [name.toLowerCase(), [...instances]]));
  }

  instances(application: string): readonly string[] {
    return this.apps.get(application.toLowerCase()) ?? [];
  }

  async refresh(): Promise<void> {}

  close(): void {}
}

export interface EurekaDiscoveryOptions {
  /** The Eureka base URL, e.g. `http://127.0.0.1:9002/eureka/` (credentials may be in it). */
  readonly url: string;
  /** How often to fetch the delta (Eureka clients: 30 s). */
  readonly fetchMs: number;
  readonly logger: Logger;
}

export class EurekaDiscovery implements Discovery {
  private snapshot: RegistrySnapshot = buildSnapshot(0, []);
  private readonly reader: UpstreamEureka;
  private readonly live = new WeakMap<object, readonly string[]>();
  private inFlight: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: EurekaDiscoveryOptions) {
    this.reader = new UpstreamEureka({ url: options.url, interval: options.fetchMs }, (instances) => this.publish(instances), options.logger);
  }

  /** Fetches once (a failure is logged and retried later), then every `fetchMs`. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer ??= setInterval(() => void this.refresh(), this.options.fetchMs);
    this.timer.unref();
  }

  instances(application: string): readonly string[] {
    const app = this.snapshot.app(application);
    if (!app) return [];
    let hostPorts = this.live.get(app);
    if (!hostPorts) {
      hostPorts = app.instances.filter((instance) => instance.status === 'UP').map((instance) => instance.hostPort);
      this.live.set(app, hostPorts);
    }
    return hostPorts;
  }

  /**
   * Resolves after a fetch that started after this call: a fetch already running may have left
   * before a registration this caller knows about, so at most one more is queued behind it.
   */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.next ??= this.inFlight.then(() => {
        this.next = undefined;
        return this.refresh();
      });
      return this.next;
    }
    this.inFlight = this.reader.poll().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  close(): void {
    clearInterval(this.timer);
    this.reader.close();
  }

  private publish(instances: InstanceView[]): void {
    this.snapshot = buildSnapshot(this.snapshot.revision + 1, instances);
  }
}
