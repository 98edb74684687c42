/**
 * The gateway's in-memory copy of the store, kept current by its change stream:
 *
 *   store.list() at revision R ──► maps ◄── store.watch(R + 1) ── events in revision order
 *                                   │
 *         Eureka reads, delta ring, label APIs, the router's snapshot (via RegistryModule)
 *
 * Reads never touch the store. A writer that needs read-your-writes (the Eureka API answering
 * 204 and then serving the next GET) awaits `waitFor(revision)` of its write, for at most
 * `waitLimitMs`: the write is already durable, a watch that lags (etcd failing over) must not
 * hold the answer. A compacted watch (the store no longer has our revision) re-lists and starts
 * over, clearing the delta ring so clients fall back to a full fetch rather than trust an
 * incomplete delta. A store that cannot be listed at start (etcd unreachable) is listed again
 * every second; until then `synced` is false and the gateway is not ready.
 */
import type { Logger } from '../contracts.js';
import { DeltaRing } from './delta-ring.js';
import type { ServedInstance } from './eureka-output.js';
import { instanceKey, labelKey, type DeleteReason, type LabelEntry, type RegistryStore, type StoreContents, type StoreEvent, type StoredInstance, type StoreWatch } from './store.js';

const DELETE_MESSAGES: Readonly<Record<DeleteReason, string>> = {
  cancel: 'instance cancelled',
  expire: 'instance lease expired',
  unknown: 'instance removed (cancelled through another gateway, or its lease expired)',
};

export interface MirrorChange {
  readonly instances: boolean;
  readonly labels: boolean;
}

export interface MirroredInstance extends ServedInstance {
  readonly stored: StoredInstance;
}

export class RegistryMirror {
  private readonly instanceMap = new Map<string, MirroredInstance>();
  private readonly labelMap = new Map<string, LabelEntry>();
  private readonly listeners = new Set<(change: MirrorChange) => void>();
  private waiters: { revision: number; resolve: () => void }[] = [];
  private watcher: StoreWatch | undefined;
  private closed = false;
  /** Last store revision applied. */
  revision = 0;
  /** Bumped on every applied change: a cache key for answers built from the mirror. */
  version = 0;
  synced = false;
  readonly delta: DeltaRing;

  constructor(
    private readonly store: RegistryStore,
    deltaRetentionMs: number,
    private readonly logger: Logger,
    private readonly waitLimitMs = 5000,
  ) {
    this.delta = new DeltaRing(deltaRetentionMs);
  }

  /** The first sync; when the store cannot be listed, it is retried in the background. */
  async start(): Promise<void> {
    try {
      this.load(await this.store.list());
    } catch (error) {
      this.logger.error({ err: error }, 'the registry store cannot be listed; not ready, retrying in 1 s');
      this.retryLater(() => this.start());
      return;
    }
    if (this.closed) return;
    this.watchFrom(this.revision + 1);
    this.synced = true;
    this.notify({ instances: true, labels: true });
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters = [];
  }

  onChange(listener: (change: MirrorChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the mirror has applied `revision` (a write's own revision: read-your-writes). */
  waitFor(revision: number): Promise<void> {
    if (this.revision >= revision || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.waitLimitMs);
      timer.unref();
      this.waiters.push({ revision, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }

  instances(): IterableIterator<MirroredInstance> {
    return this.instanceMap.values();
  }

  instance(app: string, id: string): MirroredInstance | undefined {
    return this.instanceMap.get(instanceKey(app, id));
  }

  get instanceCount(): number {
    return this.instanceMap.size;
  }

  labels(): IterableIterator<LabelEntry> {
    return this.labelMap.values();
  }

  /** Operator labels of `host:port` in `app` (any case). */
  labelsOf(app: string, hostPort: string): LabelEntry | undefined {
    return this.labelMap.get(labelKey(app, hostPort));
  }

  private watchFrom(revision: number): void {
    this.watcher = this.store.watch(revision, {
      events: (batch) => this.apply(batch),
      compacted: () => void this.resync(),
    });
  }

  private async resync(): Promise<void> {
    this.watcher?.close();
    this.logger.warn({ revision: this.revision }, 'registry watch compacted; listing the store again');
    try {
      const contents = await this.store.list();
      if (this.closed) return;
      this.delta.clear();
      this.load(contents);
      this.watchFrom(this.revision + 1);
      this.notify({ instances: true, labels: true });
    } catch (error) {
      this.logger.error({ err: error }, 'registry resync failed; retrying in 1 s');
      this.retryLater(() => this.resync());
    }
  }

  private retryLater(again: () => Promise<void>): void {
    if (!this.closed) setTimeout(() => void again(), 1000).unref();
  }

  private load(contents: StoreContents): void {
    this.instanceMap.clear();
    this.labelMap.clear();
    for (const stored of contents.instances) {
      this.instanceMap.set(instanceKey(stored.app, stored.id), { stored, record: stored.record, action: 'ADDED' });
    }
    for (const entry of contents.labels) this.labelMap.set(labelKey(entry.app, entry.instance), entry);
    this.advance(contents.revision);
  }

  private apply(batch: readonly StoreEvent[]): void {
    let instances = false;
    let labels = false;
    for (const event of batch) {
      if (event.revision <= this.revision) continue; // replayed twice after a reconnect
      if (event.kind === 'instance') {
        instances = true;
        this.applyInstance(event);
      } else {
        labels = true;
        const entry = event.type === 'put' ? event.entry : event.previous;
        if (event.type === 'put') this.labelMap.set(labelKey(entry.app, entry.instance), entry);
        else this.labelMap.delete(labelKey(entry.app, entry.instance));
        this.logger.info({ app: entry.app, instance: entry.instance, labels: event.type === 'put' ? entry.labels : {} }, 'instance labels changed');
      }
      this.advance(event.revision);
    }
    if (instances || labels) this.notify({ instances, labels });
  }

  private applyInstance(event: Extract<StoreEvent, { kind: 'instance' }>): void {
    if (event.type === 'delete') {
      const { app, id, record } = event.previous;
      this.instanceMap.delete(instanceKey(app, id));
      this.delta.push({ record, action: 'DELETED' });
      this.logger.info({ app, id, instance: `${record.hostName}:${record.port.$}` }, DELETE_MESSAGES[event.reason]);
      return;
    }
    const { app, id, record } = event.instance;
    const where = { app, id, instance: `${record.hostName}:${record.port.$}`, status: record.status };
    if (event.previous) this.logger.debug(where, 'instance updated');
    else this.logger.info(where, 'instance registered');
    // A re-registration replaces the record: MODIFIED, which both js and Java clients apply in place.
    const mirrored: MirroredInstance = { stored: event.instance, record: event.instance.record, action: event.previous ? 'MODIFIED' : 'ADDED' };
    this.instanceMap.set(instanceKey(event.instance.app, event.instance.id), mirrored);
    this.delta.push(mirrored);
  }

  private advance(revision: number): void {
    this.revision = Math.max(this.revision, revision);
    this.version++;
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((waiter) => waiter.revision <= this.revision);
    this.waiters = this.waiters.filter((waiter) => waiter.revision > this.revision);
    for (const waiter of ready) waiter.resolve();
  }

  private notify(change: MirrorChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.logger.error({ err: error }, 'a registry change listener failed');
      }
    }
  }
}
