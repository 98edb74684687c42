/**
 * Eureka's write semantics (spec eureka-and-etcd.md §6) over the store: register, renew, cancel,
 * status overrides, metadata. Each write reads the current record, computes the next one and
 * puts it with compare-and-swap on the revision it read, so two gateways (etcd) or two requests
 * never lose an update; then it waits until the mirror has applied it, so the next GET sees it.
 *
 * Status on registration (Eureka's rule chain): the client says DOWN or STARTING → that; an
 * override exists → the override; the existing record is UP or OUT_OF_SERVICE → keep it; else
 * what the client says. Overrides survive re-registration and go with the instance on cancel.
 */
import { GatewayError } from '../errors.js';
import { parseRegistration, type RegistrationDefaults } from './eureka-codec.js';
import { isStatus, type EurekaRecord } from './eureka-record.js';
import type { RegistryMirror } from './mirror.js';
import type { InstanceStatus } from './snapshot.js';
import type { RegistryStore, StoredInstance } from './store.js';

const MAX_ATTEMPTS = 5;

/** What a write decides given the current instance: a new record to put, or nothing to do. */
type Decision = { readonly record: EurekaRecord; readonly ttlSeconds?: number; readonly renew?: boolean } | 'unchanged';

function registrationStatus(incoming: EurekaRecord, override: InstanceStatus, existing: EurekaRecord | undefined): InstanceStatus {
  if (incoming.status === 'DOWN' || incoming.status === 'STARTING') return incoming.status;
  if (override !== 'UNKNOWN') return override;
  if (existing && (existing.status === 'UP' || existing.status === 'OUT_OF_SERVICE')) return existing.status;
  return incoming.status;
}

function numericParam(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

export class EurekaWrites {
  constructor(
    private readonly store: RegistryStore,
    private readonly mirror: RegistryMirror,
    private readonly defaults: RegistrationDefaults,
    private readonly now: () => number = Date.now,
  ) {}

  async register(pathApp: string, body: unknown): Promise<void> {
    const now = this.now();
    const incoming = parseRegistration(body, pathApp, this.defaults, now);
    await this.write(incoming.app, incoming.instanceId, true, (current) => {
      const existing = current?.record;
      // A newer record wins over a stale re-registration (Eureka keeps it and renews its lease).
      if (existing && Number(existing.lastDirtyTimestamp) > Number(incoming.lastDirtyTimestamp)) return 'unchanged';
      const override = existing && existing.overriddenStatus !== 'UNKNOWN' ? existing.overriddenStatus : incoming.overriddenStatus;
      const serviceUp = existing?.leaseInfo.serviceUpTimestamp ?? now;
      const record: EurekaRecord = {
        ...incoming,
        status: registrationStatus(incoming, override, existing),
        overriddenStatus: override,
        leaseInfo: { ...incoming.leaseInfo, serviceUpTimestamp: serviceUp },
      };
      return { record, ttlSeconds: record.leaseInfo.durationInSecs };
    });
  }

  /** Heartbeat: 404 (re-register) when unknown, UNKNOWN, or older than the client's dirty timestamp. */
  async renew(app: string, id: string, lastDirtyTimestamp?: string): Promise<void> {
    const stored = await this.store.renewInstance(app, id);
    if (!stored) throw new GatewayError('LG_ERR_EUREKA_UNKNOWN_INSTANCE', { app: app.toUpperCase(), id });
    if (stored.record.status === 'UNKNOWN') {
      throw new GatewayError('LG_ERR_EUREKA_REREGISTER', { app: stored.app, id, reason: 'its status is UNKNOWN' });
    }
    const clientDirty = numericParam(lastDirtyTimestamp);
    if (clientDirty !== undefined && clientDirty > Number(stored.record.lastDirtyTimestamp)) {
      throw new GatewayError('LG_ERR_EUREKA_REREGISTER', { app: stored.app, id, reason: 'the client has newer data' });
    }
  }

  async cancel(app: string, id: string): Promise<void> {
    const removed = await this.store.deleteInstance(app, id);
    if (!removed) throw new GatewayError('LG_ERR_EUREKA_UNKNOWN_INSTANCE', { app: app.toUpperCase(), id });
    await this.mirror.waitFor(removed.revision);
  }

  async setStatus(app: string, id: string, value: string | undefined, lastDirtyTimestamp?: string): Promise<void> {
    if (!isStatus(value)) throw new GatewayError('LG_ERR_EUREKA_BAD_STATUS', { value: value ?? '' });
    const clientDirty = numericParam(lastDirtyTimestamp);
    await this.write(app, id, false, (current) => {
      const record = this.required(app, id, current);
      const dirty = Math.max(Number(record.lastDirtyTimestamp), clientDirty ?? 0);
      return { record: this.touched({ ...record, status: value, overriddenStatus: value, lastDirtyTimestamp: String(dirty) }), renew: true };
    });
  }

  /** Removes an override; the status becomes `value`, or UNKNOWN so the next heartbeat re-registers. */
  async deleteStatus(app: string, id: string, value: string | undefined): Promise<void> {
    if (value !== undefined && !isStatus(value)) throw new GatewayError('LG_ERR_EUREKA_BAD_STATUS', { value });
    await this.write(app, id, false, (current) => {
      const record = this.required(app, id, current);
      if (record.overriddenStatus === 'UNKNOWN') return 'unchanged';
      return { record: this.touched({ ...record, overriddenStatus: 'UNKNOWN', status: value ?? 'UNKNOWN' }) };
    });
  }

  /** Merges the entries into the instance's metadata (a `route` entry changes its route label). */
  async updateMetadata(app: string, id: string, entries: Readonly<Record<string, string>>): Promise<void> {
    await this.write(app, id, false, (current) => {
      const record = this.required(app, id, current);
      if (Object.keys(entries).length === 0) return 'unchanged';
      return { record: this.touched({ ...record, metadata: { ...record.metadata, ...entries } }) };
    });
  }

  private required(app: string, id: string, current: StoredInstance | undefined): EurekaRecord {
    if (!current) throw new GatewayError('LG_ERR_EUREKA_UNKNOWN_INSTANCE', { app: app.toUpperCase(), id });
    return current.record;
  }

  private touched(record: EurekaRecord): EurekaRecord {
    return { ...record, lastUpdatedTimestamp: String(this.now()) };
  }

  /** Read → decide → compare-and-swap, retried when another writer got there first. */
  private async write(app: string, id: string, renewWhenUnchanged: boolean, decide: (current: StoredInstance | undefined) => Decision): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.store.getInstance(app, id);
      const decision = decide(current);
      if (decision === 'unchanged') {
        if (renewWhenUnchanged) await this.store.renewInstance(app, id);
        return;
      }
      const options = decision.ttlSeconds === undefined
        ? { ifModRevision: current?.modRevision ?? 0 }
        : { ifModRevision: current?.modRevision ?? 0, ttlSeconds: decision.ttlSeconds };
      const result = await this.store.putInstance(decision.record, options);
      if (result.ok) {
        if (decision.renew) await this.store.renewInstance(app, id);
        await this.mirror.waitFor(result.revision);
        return;
      }
    }
    throw new GatewayError('LG_ERR_REGISTRY_UNAVAILABLE', { reason: `instance ${id} kept changing while it was being updated` });
  }
}
