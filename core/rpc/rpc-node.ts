/**
 * This process on the RPC network: its name, its message registry, how it finds other services
 * (Eureka or a static list), its registration, the interceptor chain every sender shares, the
 * deliver queue and the connections. One per service.
 *
 *   const node = new RpcNode({ application: 'orders', messages, eureka: { url: 'http://127.0.0.1:9002/eureka/' } });
 *   await node.start();                               // first registry fetch
 *   await node.register({ host: '127.0.0.1', port }); // once the receiver listens
 *   await node.sender('stock').ask(Quote({ sku: 'A-1' }), { timeout: 2000 });
 *   const { undelivered } = await node.close();       // deregisters, drains deliver()
 */
import type { Logger } from '../contracts.js';
import { GatewayError } from '../errors.js';
import { createLogger } from '../logger.js';
import { parseHostPort } from '../registry/snapshot.js';
import { DeliveryQueue, type Undelivered } from './delivery.js';
import { EurekaDiscovery, StaticDiscovery, type Discovery } from './discovery.js';
import { EurekaRegistration } from './eureka-registration.js';
import { BroadcastInterceptor, type BroadcastFailure } from './interceptors/broadcast.js';
import { CacheInterceptor, type CacheStats } from './interceptors/cache.js';
import { RetryInterceptor } from './interceptors/retry.js';
import { compose, orderInterceptors, type Call, type CallKind, type RpcInterceptor, type Target } from './invocation.js';
import type { Message, MessageRegistry } from './message-types.js';
import { Sender, type AskOptions, type SendOptions, type SenderHost } from './sender.js';
import { RpcTransport } from './transport.js';
import type { Caller } from './wire.js';
import { wireCall } from './wire-call.js';

export interface EurekaOptions {
  /** e.g. `http://127.0.0.1:9002/eureka/` (labelgate's admin listener); credentials may be in it. */
  readonly url: string;
  readonly heartbeatMs?: number;
  readonly leaseSeconds?: number;
  readonly fetchMs?: number;
  /** Registration metadata, e.g. `{ route: 'et1' }` for a route label. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface RpcNodeOptions {
  readonly application: string;
  readonly messages: MessageRegistry;
  /** Find (and register with) a Eureka server; or give `discovery`. */
  readonly eureka?: EurekaOptions;
  readonly discovery?: Discovery;
  readonly interceptors?: readonly RpcInterceptor[];
  /** Deadline of an ask without a timeout, and of a send (ms); default 60 s. */
  readonly timeout?: number;
  readonly deliver?: { readonly queueSize?: number; readonly concurrency?: number; readonly drainMs?: number };
  readonly onUndelivered?: (undelivered: Undelivered) => void;
  readonly onBroadcastFailure?: (failure: BroadcastFailure) => void;
  /** Connections kept per instance (default 64). */
  readonly connections?: number;
  readonly logger?: Logger;
}

export interface CloseReport {
  /** Messages `deliver` accepted but could not send (failed for good, or still queued at the drain deadline). */
  readonly undelivered: Undelivered[];
}

const DEFAULTS = { timeout: 60_000, queueSize: 2000, concurrency: 100, drainMs: 10_000, heartbeatMs: 30_000, leaseSeconds: 90, fetchMs: 30_000 };

export class RpcNode implements SenderHost {
  readonly application: string;
  readonly messages: MessageRegistry;
  readonly logger: Logger;
  private instance = '';
  private readonly discovery: Discovery;
  private registration: EurekaRegistration | undefined;
  private readonly transport: RpcTransport;
  private readonly cache = new CacheInterceptor();
  private readonly retry = new RetryInterceptor();
  private readonly chain: Call;
  private readonly delivery: DeliveryQueue;
  private readonly timeout: number;
  private closed = false;

  constructor(private readonly options: RpcNodeOptions) {
    if (!options.application) throw new GatewayError('LG_ERR_RPC_BAD_DEFINITION', { type: '(node)', reason: 'application is required' });
    this.application = options.application;
    this.messages = options.messages;
    this.logger = options.logger ?? createLogger('warn');
    this.timeout = options.timeout ?? DEFAULTS.timeout;
    this.transport = new RpcTransport({ connections: options.connections });
    this.discovery = options.discovery ?? (options.eureka
      ? new EurekaDiscovery({ url: options.eureka.url, fetchMs: options.eureka.fetchMs ?? DEFAULTS.fetchMs, logger: this.logger })
      : new StaticDiscovery());
    const broadcast = new BroadcastInterceptor(
      async (application) => {
        if (this.discovery.instances(application).length === 0) await this.discovery.refresh();
        return this.discovery.instances(application);
      },
      options.onBroadcastFailure ?? ((failure) => this.logger.warn({ type: failure.type, instance: failure.instance, err: failure.error }, 'an instance did not take a broadcast')),
    );
    const call = wireCall({ transport: this.transport, messages: this.messages, discovery: this.discovery, caller: () => this.caller });
    this.chain = compose([broadcast, this.cache, this.retry, ...orderInterceptors(options.interceptors ?? [])], call);
    const deliver = options.deliver ?? {};
    this.delivery = new DeliveryQueue(
      async (message, target) => void (await this.invoke('send', message, target, {})),
      {
        queueSize: deliver.queueSize ?? DEFAULTS.queueSize,
        concurrency: deliver.concurrency ?? DEFAULTS.concurrency,
        onUndelivered: options.onUndelivered ?? ((failed) => this.logger.warn({ type: failed.message.type, target: failed.target, err: failed.error }, 'a delivered message could not be sent')),
      },
      this.application,
    );
  }

  /** This node as callers see it in `data.name` / `data.instance`. */
  get caller(): Caller {
    return { application: this.application, instance: this.instance };
  }

  /** Hits and misses of the cacheable-type cache. */
  get cacheStats(): Readonly<CacheStats> {
    return this.cache.stats;
  }

  /** Starts discovery: resolves after the first registry fetch (a failed one is retried later). */
  async start(): Promise<void> {
    if (this.discovery instanceof EurekaDiscovery) await this.discovery.start();
  }

  /**
   * Names this node `host:port` (what receivers use to answer it later) and, with `eureka`,
   * registers it there and keeps it registered.
   */
  async register(address: { readonly host: string; readonly port: number }): Promise<void> {
    this.instance = `${address.host}:${address.port}`;
    const eureka = this.options.eureka;
    if (!eureka || this.registration) return;
    this.registration = new EurekaRegistration({
      url: eureka.url, application: this.application, host: address.host, port: address.port,
      heartbeatMs: eureka.heartbeatMs ?? DEFAULTS.heartbeatMs, leaseSeconds: eureka.leaseSeconds ?? DEFAULTS.leaseSeconds,
      metadata: eureka.metadata ?? {}, logger: this.logger,
    });
    await this.registration.start();
  }

  /** A sender to every live instance of an application, or to one `host:port`. */
  sender(target: string | Target): Sender {
    if (typeof target !== 'string') return new Sender(this, target);
    return new Sender(this, parseHostPort(target) ? { application: target, instance: target } : { application: target });
  }

  /** Forgets cached answers to `message` (Linkis `removeCache`). */
  removeCache(message: Message): void {
    this.cache.remove(message);
  }

  invoke(kind: CallKind, message: Message, target: Target, options: AskOptions & SendOptions): Promise<Message | undefined> {
    if (this.closed) return Promise.reject(new GatewayError('LG_ERR_RPC_CLOSED', { application: this.application }));
    try {
      const messageType = this.messages.typeOf(message.type);
      this.messages.check(message);
      const timeout = options.timeout;
      return this.chain({
        kind, message, messageType, target, timeout, attempt: 0,
        deadline: Date.now() + (timeout ?? this.timeout),
        ...(options.instances ? { instances: options.instances } : {}),
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  deliver(message: Message, target: Target): void {
    this.messages.check(message);
    this.delivery.deliver(message, target);
  }

  /** Deregisters, drains the deliver queue, stops retries and discovery, closes connections. */
  async close(): Promise<CloseReport> {
    if (this.closed) return { undelivered: [] };
    await this.registration?.stop();
    const undelivered = await this.delivery.close(this.options.deliver?.drainMs ?? DEFAULTS.drainMs);
    this.closed = true;
    this.retry.close();
    this.discovery.close();
    await this.transport.close();
    return { undelivered };
  }
}
