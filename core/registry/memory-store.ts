/**
 * The embedded, single-gateway registry store: instances under leases, labels persisted to
 * `labels.file`, one revision counter and an ordered change stream (core/registry/store.ts).
 *
 * Leases expire at last renewal + TTL (not Eureka's last renewal + 2 × TTL); a sweep every
 * `evictionInterval` removes expired instances, unless self-preservation holds them back.
 */
import type { Logger } from '../contracts.js';
import { GatewayError } from '../errors.js';
import { deepFreeze } from '../deep-freeze.js';
import { EventLog } from './event-log.js';
import type { EurekaRecord } from './eureka-record.js';
import { readLabelsFile, writeLabelsFile } from './label-file.js';
import { RenewalMeter, type SelfPreservationOptions } from './self-preservation.js';
import {
  instanceKey, labelKey, type LabelEntry, type LabelPutResult, type LeaseState, type PutInstanceOptions, type PutResult,
  type RegistryStore, type Removed, type StoreContents, type StoredInstance, type StoreWatch, type WatchListener,
} from './store.js';

export interface MemoryStoreOptions {
  /** Where labels persist; undefined keeps them in memory only. */
  readonly labelsFile?: string;
  readonly evictionIntervalMs: number;
  /** Off (undefined) by default: small deployments must see dead instances go. */
  readonly selfPreservation?: SelfPreservationOptions;
  /** Events kept for watches that start in the past. */
  readonly historyLimit?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

interface Lease {
  readonly id: string;
  readonly ttlMs: number;
  lastRenewal: number;
}

export class MemoryStore implements RegistryStore {
  readonly kind = 'memory';
  private revision: number;
  private readonly instances = new Map<string, StoredInstance>();
  private readonly leases = new Map<string, Lease>();
  private readonly labels = new Map<string, LabelEntry>();
  private readonly log: EventLog;
  private readonly meter: RenewalMeter | undefined;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;
  private nextLeaseId = 1;
  private saving: Promise<void> = Promise.resolve();

  private constructor(private readonly options: MemoryStoreOptions, persisted: readonly LabelEntry[]) {
    this.now = options.now ?? Date.now;
    for (const entry of persisted) this.labels.set(labelKey(entry.app, entry.instance), entry);
    this.revision = persisted.length;
    this.log = new EventLog(this.revision, options.historyLimit ?? 10_000, options.logger);
    this.meter = options.selfPreservation ? new RenewalMeter(options.selfPreservation) : undefined;
    this.sweeper = setInterval(() => this.sweep(), options.evictionIntervalMs);
    this.sweeper.unref();
  }

  /** Opens the store, reading persisted labels first (a corrupt file is LG_ERR_REGISTRY_LABELS_FILE). */
  static async open(options: MemoryStoreOptions): Promise<MemoryStore> {
    const persisted = options.labelsFile === undefined ? [] : await readLabelsFile(options.labelsFile);
    const entries = persisted.map((entry, index): LabelEntry => deepFreeze({
      app: entry.app, appKey: entry.app.toLowerCase(), instance: entry.instance, labels: { ...entry.labels },
      modRevision: index + 1, updatedAt: entry.updatedAt,
    }));
    return new MemoryStore(options, entries);
  }

  async list(): Promise<StoreContents> {
    return { revision: this.revision, instances: [...this.instances.values()], labels: [...this.labels.values()] };
  }

  watch(fromRevision: number, listener: WatchListener): StoreWatch {
    return this.log.watch(fromRevision, listener);
  }

  async getInstance(app: string, id: string): Promise<StoredInstance | undefined> {
    return this.instances.get(instanceKey(app, id));
  }

  async putInstance(record: EurekaRecord, options: PutInstanceOptions): Promise<PutResult> {
    const key = instanceKey(record.app, record.instanceId);
    const current = this.instances.get(key);
    if (options.ifModRevision !== undefined && (current?.modRevision ?? 0) !== options.ifModRevision) return { ok: false, current };
    if (options.ttlSeconds === undefined && !current) return { ok: false, current };
    let leaseId = current?.leaseId;
    if (options.ttlSeconds !== undefined) {
      if (leaseId !== undefined) this.leases.delete(leaseId);
      leaseId = this.grant(options.ttlSeconds);
      if (!current) this.meter?.registered();
    }
    const revision = ++this.revision;
    const instance: StoredInstance = deepFreeze({
      app: record.app.toUpperCase(), id: record.instanceId, record: { ...record },
      createRevision: current?.createRevision ?? revision, modRevision: revision, leaseId: leaseId!,
    });
    this.instances.set(key, instance);
    this.log.append(current ? { kind: 'instance', type: 'put', revision, instance, previous: current } : { kind: 'instance', type: 'put', revision, instance });
    return { ok: true, revision, instance };
  }

  async renewInstance(app: string, id: string): Promise<StoredInstance | undefined> {
    const current = this.instances.get(instanceKey(app, id));
    if (!current) return undefined;
    const lease = this.leases.get(current.leaseId)!;
    const now = this.now();
    // A lease past its end is dead even if the sweep has not run yet (etcd answers TTL 0).
    if (this.isExpired(lease, now) && this.expiryAllowed(now)) {
      this.remove(current, 'expire');
      return undefined;
    }
    lease.lastRenewal = now;
    this.meter?.renewed(now);
    return current;
  }

  async deleteInstance(app: string, id: string): Promise<Removed<StoredInstance> | undefined> {
    const current = this.instances.get(instanceKey(app, id));
    if (!current) return undefined;
    this.meter?.cancelled();
    return { previous: current, revision: this.remove(current, 'cancel') };
  }

  async lease(app: string, id: string): Promise<LeaseState | undefined> {
    const current = this.instances.get(instanceKey(app, id));
    const lease = current && this.leases.get(current.leaseId);
    if (!lease) return undefined;
    return { id: lease.id, ttlSeconds: lease.ttlMs / 1000, lastRenewal: lease.lastRenewal, expiresAt: lease.lastRenewal + lease.ttlMs };
  }

  async getLabels(app: string, instance: string): Promise<LabelEntry | undefined> {
    return this.labels.get(labelKey(app, instance));
  }

  async putLabels(app: string, instance: string, labels: Readonly<Record<string, string>>, ifModRevision?: number): Promise<LabelPutResult> {
    const key = labelKey(app, instance);
    const current = this.labels.get(key);
    if (ifModRevision !== undefined && (current?.modRevision ?? 0) !== ifModRevision) return { ok: false, current };
    const revision = ++this.revision;
    const entry: LabelEntry = deepFreeze({ app, appKey: app.toLowerCase(), instance, labels: { ...labels }, modRevision: revision, updatedAt: this.now() });
    this.labels.set(key, entry);
    this.log.append(current ? { kind: 'labels', type: 'put', revision, entry, previous: current } : { kind: 'labels', type: 'put', revision, entry });
    await this.persist();
    return { ok: true, revision, entry };
  }

  async deleteLabels(app: string, instance: string): Promise<Removed<LabelEntry> | undefined> {
    const key = labelKey(app, instance);
    const current = this.labels.get(key);
    if (!current) return undefined;
    this.labels.delete(key);
    const revision = ++this.revision;
    this.log.append({ kind: 'labels', type: 'delete', revision, previous: current });
    await this.persist();
    return { previous: current, revision };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.log.close();
    await this.saving.catch(() => undefined);
  }

  /** Expires every lease past its end (the sweep; also callable from tests). */
  sweep(): void {
    const now = this.now();
    if (!this.expiryAllowed(now)) return;
    for (const instance of [...this.instances.values()]) {
      const lease = this.leases.get(instance.leaseId);
      if (lease && this.isExpired(lease, now)) this.remove(instance, 'expire');
    }
  }

  private grant(ttlSeconds: number): string {
    const id = (this.nextLeaseId++).toString(16).padStart(8, '0');
    this.leases.set(id, { id, ttlMs: ttlSeconds * 1000, lastRenewal: this.now() });
    return id;
  }

  private isExpired(lease: Lease, now: number): boolean {
    return now > lease.lastRenewal + lease.ttlMs;
  }

  private expiryAllowed(now: number): boolean {
    return this.meter === undefined || this.meter.allowsExpiry(now);
  }

  private remove(instance: StoredInstance, reason: 'cancel' | 'expire'): number {
    this.instances.delete(instanceKey(instance.app, instance.id));
    this.leases.delete(instance.leaseId);
    const revision = ++this.revision;
    this.log.append({ kind: 'instance', type: 'delete', revision, previous: instance, reason });
    return revision;
  }

  /** Queues a whole-file write; resolves once this change (and every earlier one) is on disk. */
  private persist(): Promise<void> {
    const file = this.options.labelsFile;
    if (file === undefined) return Promise.resolve();
    const entries = [...this.labels.values()].map(({ app, instance, labels, updatedAt }) => ({ app, instance, labels, updatedAt }));
    this.saving = this.saving.catch(() => undefined).then(() => writeLabelsFile(file, entries)).catch((error: unknown) => {
      throw new GatewayError('LG_ERR_REGISTRY_LABELS_FILE', { file, reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message }, { cause: error });
    });
    return this.saving;
  }
}
