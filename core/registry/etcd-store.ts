/**
 * The registry store on etcd (spec eureka-and-etcd.md §8), for several gateways sharing one
 * registry. Same contract as the memory store (core/registry/store.ts); what etcd adds:
 *
 * - register grants a lease of the instance's TTL, puts the key under it with compare-and-swap
 *   on the revision the writer read, then revokes the replaced lease;
 * - a heartbeat is one keep-alive of the instance's lease by id: no write, no revision. The lease
 *   id comes from `known` (listings, watch events, our own writes); an instance not there yet (a
 *   gateway still syncing) or whose lease says TTL 0 is read from etcd before the answer is "gone",
 *   so a known instance never hears 404 because this gateway is behind;
 * - a delete event does not say whether a client cancelled or the lease expired: deletes made
 *   here are `cancel`, others `unknown`.
 *
 * Every call has the connection's deadline; an unreachable etcd is LG_ERR_REGISTRY_UNAVAILABLE (503).
 */
import type { IKeyValue } from 'etcd3';
import type { Logger } from '../contracts.js';
import type { EtcdConnection } from '../etcd/connection.js';
import { prefixRange } from '../etcd/keys.js';
import { RangeWatch } from '../etcd/range-watch.js';
import { decodeInstance, decodeLabels, encodeInstance, encodeLabels, toStoreEvents } from './etcd-codec.js';
import type { EurekaRecord } from './eureka-record.js';
import {
  instanceKey, type LabelEntry, type LabelPutResult, type LeaseState, type PutInstanceOptions, type PutResult,
  type RegistryStore, type Removed, type StoreContents, type StoredInstance, type StoreWatch, type WatchListener,
} from './store.js';

/** Revisions of our own deletes remembered to tell a cancel from an expiry. */
const OWN_DELETES_KEPT = 1000;

export class EtcdStore implements RegistryStore {
  readonly kind = 'etcd';
  private readonly known = new Map<string, StoredInstance>();
  private readonly ownDeletes = new Set<number>();
  private readonly watches = new Set<RangeWatch>();

  constructor(private readonly etcd: EtcdConnection, private readonly logger: Logger) {}

  async list(): Promise<StoreContents> {
    const listing = await this.etcd.list('registry list', this.etcd.keys.registry);
    const instances: StoredInstance[] = [];
    const labels: LabelEntry[] = [];
    for (const kv of listing.kvs) {
      const key = this.etcd.keys.parseRegistry(kv.key.toString('utf8'));
      const decoded = key?.kind === 'instance' ? decodeInstance(kv) : key?.kind === 'labels' ? decodeLabels(kv) : undefined;
      if (!decoded) this.logger.warn({ key: kv.key.toString('utf8') }, 'skipping an etcd registry key that does not decode');
      else if ('record' in decoded) instances.push(decoded);
      else labels.push(decoded);
    }
    this.known.clear();
    for (const instance of instances) this.remember(instance);
    return { revision: listing.revision, instances, labels };
  }

  watch(fromRevision: number, listener: WatchListener): StoreWatch {
    const watch = new RangeWatch(this.etcd.client, prefixRange(this.etcd.keys.registry), fromRevision, {
      events: (events) => {
        const batch = toStoreEvents(this.etcd.keys, events, (revision) => (this.ownDeletes.has(revision) ? 'cancel' : 'unknown'));
        for (const event of batch) {
          if (event.kind !== 'instance') continue;
          if (event.type === 'put') this.remember(event.instance);
          else this.forget(event.previous);
        }
        if (batch.length > 0) listener.events(batch);
      },
      compacted: () => {
        this.watches.delete(watch);
        listener.compacted();
      },
    }, this.logger.child({ watch: 'registry' }));
    this.watches.add(watch);
    return { close: () => { this.watches.delete(watch); watch.close(); } };
  }

  async getInstance(app: string, id: string): Promise<StoredInstance | undefined> {
    const { kv } = await this.etcd.get('instance read', this.etcd.keys.instance(app, id));
    const instance = kv && decodeInstance(kv);
    if (instance) this.remember(instance);
    else this.known.delete(instanceKey(app, id));
    return instance;
  }

  async putInstance(record: EurekaRecord, options: PutInstanceOptions): Promise<PutResult> {
    const until = Date.now() + this.etcd.timeoutMs;
    const compare = [];
    if (options.ifModRevision !== undefined) compare.push({ target: 'Mod' as const, result: 'Equal' as const, mod_revision: options.ifModRevision });
    // Without a new lease this is an update: the instance must still be there (else it would be put without a lease).
    if (options.ttlSeconds === undefined) compare.push({ target: 'Create' as const, result: 'Greater' as const, create_revision: 0 });
    const lease = options.ttlSeconds === undefined ? undefined : await this.etcd.grant('register', options.ttlSeconds, { until });
    const outcome = await this.etcd.putIf(lease ? 'register' : 'instance update', {
      key: this.etcd.keys.instance(record.app, record.instanceId), value: encodeInstance(record), compare, ...(lease ? { lease } : {}),
    }, { until });
    if (!outcome.ok) {
      this.etcd.revokeLater(lease);
      return { ok: false, current: this.decodeCurrent(outcome.current) };
    }
    const instance = decodeInstance(outcome.kv)!;
    this.remember(instance);
    if (lease && outcome.previous && String(outcome.previous.lease) !== lease) this.etcd.revokeLater(String(outcome.previous.lease));
    return { ok: true, revision: outcome.revision, instance };
  }

  async renewInstance(app: string, id: string): Promise<StoredInstance | undefined> {
    const until = Date.now() + this.etcd.timeoutMs;
    const cached = this.known.get(instanceKey(app, id));
    if (cached && (await this.etcd.keepAlive('heartbeat', cached.leaseId, { until })) > 0) return cached;
    // Not known here yet, or a lease that ended: ask etcd what the instance is now before saying "gone".
    const current = await this.getInstance(app, id);
    if (!current || current.leaseId === cached?.leaseId) return undefined;
    return (await this.etcd.keepAlive('heartbeat', current.leaseId, { until })) > 0 ? current : undefined;
  }

  async deleteInstance(app: string, id: string): Promise<Removed<StoredInstance> | undefined> {
    const removed = await this.etcd.delete('cancel', this.etcd.keys.instance(app, id));
    const previous = removed && decodeInstance(removed.previous);
    if (!removed || !previous) return undefined;
    this.ownDeletes.add(removed.revision);
    if (this.ownDeletes.size > OWN_DELETES_KEPT) this.ownDeletes.delete(this.ownDeletes.values().next().value!);
    this.forget(previous);
    this.etcd.revokeLater(previous.leaseId);
    return { previous, revision: removed.revision };
  }

  async lease(app: string, id: string): Promise<LeaseState | undefined> {
    const instance = this.known.get(instanceKey(app, id)) ?? (await this.getInstance(app, id));
    if (!instance) return undefined;
    const answer = await this.etcd.call('lease read', (options) => this.etcd.client.leaseClient.leaseTimeToLive({ ID: instance.leaseId }, options));
    const ttl = Number(answer.TTL);
    if (ttl < 0) return undefined;
    return { id: instance.leaseId, ttlSeconds: Number(answer.grantedTTL), expiresAt: Date.now() + ttl * 1000 };
  }

  async getLabels(app: string, instance: string): Promise<LabelEntry | undefined> {
    const { kv } = await this.etcd.get('labels read', this.etcd.keys.labels(app, instance));
    return kv && decodeLabels(kv);
  }

  async putLabels(app: string, instance: string, labels: Readonly<Record<string, string>>, ifModRevision?: number): Promise<LabelPutResult> {
    const outcome = await this.etcd.putIf('labels write', {
      key: this.etcd.keys.labels(app, instance),
      value: encodeLabels(app, instance, labels, Date.now()),
      compare: ifModRevision === undefined ? [] : [{ target: 'Mod', result: 'Equal', mod_revision: ifModRevision }],
      lease: '0',
    });
    if (!outcome.ok) return { ok: false, current: outcome.current && decodeLabels(outcome.current) };
    return { ok: true, revision: outcome.revision, entry: decodeLabels(outcome.kv)! };
  }

  async deleteLabels(app: string, instance: string): Promise<Removed<LabelEntry> | undefined> {
    const removed = await this.etcd.delete('labels delete', this.etcd.keys.labels(app, instance));
    const previous = removed && decodeLabels(removed.previous);
    return removed && previous ? { previous, revision: removed.revision } : undefined;
  }

  /** Stops this store's watches; the connection belongs to whoever opened it. */
  async close(): Promise<void> {
    for (const watch of this.watches) watch.close();
    this.watches.clear();
  }

  private decodeCurrent(kv: IKeyValue | undefined): StoredInstance | undefined {
    return kv && decodeInstance(kv);
  }

  private remember(instance: StoredInstance): void {
    this.known.set(instanceKey(instance.app, instance.id), instance);
  }

  private forget(instance: StoredInstance): void {
    const key = instanceKey(instance.app, instance.id);
    // A delete replayed after a newer registration must not drop the newer lease.
    if ((this.known.get(key)?.modRevision ?? 0) <= instance.modRevision) this.known.delete(key);
  }
}
