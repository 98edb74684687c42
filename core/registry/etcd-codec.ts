/**
 * Instances and labels as etcd keys and values (core/etcd/keys.ts), and etcd watch events as
 * store events. A value that does not decode (written by hand, or by a future version) is
 * skipped, never half-used.
 */
import type { IEvent, IKeyValue } from 'etcd3';
import { deepFreeze } from '../deep-freeze.js';
import type { EtcdKeys } from '../etcd/keys.js';
import type { EurekaRecord } from './eureka-record.js';
import type { DeleteReason, LabelEntry, StoredInstance, StoreEvent } from './store.js';

interface StoredLabels {
  readonly app: string;
  readonly instance: string;
  readonly labels: Record<string, string>;
  readonly updatedAt: number;
}

function parse(kv: IKeyValue): unknown {
  try {
    return JSON.parse(kv.value.toString('utf8'));
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function encodeInstance(record: EurekaRecord): Buffer {
  return Buffer.from(JSON.stringify(record));
}

export function decodeInstance(kv: IKeyValue): StoredInstance | undefined {
  const record = parse(kv);
  if (!isObject(record) || typeof record.instanceId !== 'string' || typeof record.app !== 'string' || !isObject(record.port)) return undefined;
  return deepFreeze({
    app: record.app.toUpperCase(),
    id: record.instanceId,
    record: record as unknown as EurekaRecord,
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    leaseId: String(kv.lease),
  });
}

export function encodeLabels(app: string, instance: string, labels: Readonly<Record<string, string>>, updatedAt: number): Buffer {
  return Buffer.from(JSON.stringify({ app, instance, labels, updatedAt } satisfies StoredLabels));
}

export function decodeLabels(kv: IKeyValue): LabelEntry | undefined {
  const value = parse(kv);
  if (!isObject(value) || typeof value.app !== 'string' || typeof value.instance !== 'string' || !isObject(value.labels)) return undefined;
  if (!Object.values(value.labels).every((label) => typeof label === 'string')) return undefined;
  return deepFreeze({
    app: value.app, appKey: value.app.toLowerCase(), instance: value.instance, labels: { ...(value.labels as Record<string, string>) },
    modRevision: Number(kv.mod_revision), updatedAt: typeof value.updatedAt === 'number' ? value.updatedAt : 0,
  });
}

/**
 * Watch events under `registry/` as store events. A put whose key existed before carries the
 * previous value (the watch asks for it); a delete needs it, for the Eureka DELETED delta entry.
 */
export function toStoreEvents(keys: EtcdKeys, events: readonly IEvent[], reasonOf: (revision: number) => DeleteReason): StoreEvent[] {
  const out: StoreEvent[] = [];
  for (const event of events) {
    const key = keys.parseRegistry(event.kv.key.toString('utf8'));
    if (!key) continue;
    const revision = Number(event.kv.mod_revision);
    const previousKv = event.prev_kv ?? undefined;
    if (key.kind === 'instance') {
      const previous = previousKv && decodeInstance(previousKv);
      if (event.type === 'Put') {
        const instance = decodeInstance(event.kv);
        if (instance) out.push(previous ? { kind: 'instance', type: 'put', revision, instance, previous } : { kind: 'instance', type: 'put', revision, instance });
      } else if (previous) {
        out.push({ kind: 'instance', type: 'delete', revision, previous, reason: reasonOf(revision) });
      }
    } else {
      const previous = previousKv && decodeLabels(previousKv);
      if (event.type === 'Put') {
        const entry = decodeLabels(event.kv);
        if (entry) out.push(previous ? { kind: 'labels', type: 'put', revision, entry, previous } : { kind: 'labels', type: 'put', revision, entry });
      } else if (previous) {
        out.push({ kind: 'labels', type: 'delete', revision, previous });
      }
    }
  }
  return out;
}
