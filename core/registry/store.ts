/**
 * The registry store: the one place registrations and instance labels live. The memory store
 * (core/registry/memory-store.ts) implements it for one gateway; an etcd store implements the
 * same contract for several (spec eureka-and-etcd.md §8), so everything above it, the Eureka
 * API, the label APIs and the router's snapshot, runs the same code in both modes.
 *
 *   writers (Eureka API, label API) ──► RegistryStore ──► ordered change stream (revisions)
 *                                                              │
 *                        RegistryMirror (list at R, watch from R+1) ──► snapshot, Eureka reads
 *
 * The contract is etcd's, kept deliberately:
 * - every method is async and may reject with LG_ERR_REGISTRY_UNAVAILABLE (never a 404 that
 *   would make every client re-register at once);
 * - each put or delete moves the store-wide revision by one (in etcd, writes outside the registry
 *   move it too, so a watch may see gaps); heartbeats move none;
 * - an instance lives under a lease with a TTL: it expires at last renewal + TTL;
 * - labels have no lease: they outlive the instance, its restarts and re-registrations;
 * - writes can be conditional on the revision the writer read (compare-and-swap);
 * - a watch starts at a revision and replays what happened since, or says it was compacted.
 */
import type { EurekaRecord } from './eureka-record.js';

/** An instance as stored: its record plus the bookkeeping etcd would give it. */
export interface StoredInstance {
  /** Upper-cased application name. */
  readonly app: string;
  readonly id: string;
  readonly record: EurekaRecord;
  /** Revision of the put that created the key; equal to `modRevision` on first registration. */
  readonly createRevision: number;
  readonly modRevision: number;
  readonly leaseId: string;
}

/** Operator labels of one instance, keyed by application (case-insensitive) and `host:port`. */
export interface LabelEntry {
  /** The application as the writer spelled it. */
  readonly app: string;
  readonly appKey: string;
  /** `host:port`, the Linkis instance name. */
  readonly instance: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly modRevision: number;
  /** Epoch milliseconds of the last write. */
  readonly updatedAt: number;
}

/** `unknown`: etcd does not say whether a delete was a cancel through another gateway or an expiry. */
export type DeleteReason = 'cancel' | 'expire' | 'unknown';

export type StoreEvent =
  | { readonly kind: 'instance'; readonly type: 'put'; readonly revision: number; readonly instance: StoredInstance; readonly previous?: StoredInstance }
  | { readonly kind: 'instance'; readonly type: 'delete'; readonly revision: number; readonly previous: StoredInstance; readonly reason: DeleteReason }
  | { readonly kind: 'labels'; readonly type: 'put'; readonly revision: number; readonly entry: LabelEntry; readonly previous?: LabelEntry }
  | { readonly kind: 'labels'; readonly type: 'delete'; readonly revision: number; readonly previous: LabelEntry };

export interface StoreContents {
  /** The revision this listing reflects: watch from `revision + 1` to miss nothing. */
  readonly revision: number;
  readonly instances: readonly StoredInstance[];
  readonly labels: readonly LabelEntry[];
}

export interface WatchListener {
  /** Events in revision order; a batch never skips a registry event. */
  events(batch: readonly StoreEvent[]): void;
  /** The start revision is no longer in the history: list again and watch from there. */
  compacted(): void;
}

export interface StoreWatch {
  close(): void;
}

export interface LeaseState {
  readonly id: string;
  readonly ttlSeconds: number;
  /** Epoch milliseconds, when the store knows them (etcd only reports the remaining TTL). */
  readonly lastRenewal?: number;
  readonly expiresAt: number;
}

export interface PutInstanceOptions {
  /** Compare-and-swap on the key's modRevision; 0 means "only if absent"; omitted: unconditional. */
  readonly ifModRevision?: number;
  /** Grant a new lease of this TTL (register). Omitted: keep the current lease (status, metadata). */
  readonly ttlSeconds?: number;
}

export type PutResult =
  | { readonly ok: true; readonly revision: number; readonly instance: StoredInstance }
  /** The compare failed (or, without `ttlSeconds`, the instance is gone); `current` is what is there. */
  | { readonly ok: false; readonly current: StoredInstance | undefined };

export interface Removed<T> {
  readonly previous: T;
  readonly revision: number;
}

export type LabelPutResult =
  | { readonly ok: true; readonly revision: number; readonly entry: LabelEntry }
  | { readonly ok: false; readonly current: LabelEntry | undefined };

export interface RegistryStore {
  /** `memory` or `etcd`: for logs and /admin. */
  readonly kind: string;

  list(): Promise<StoreContents>;
  /** Delivers every event with a revision ≥ `fromRevision`, then live ones, until closed. */
  watch(fromRevision: number, listener: WatchListener): StoreWatch;

  getInstance(app: string, id: string): Promise<StoredInstance | undefined>;
  putInstance(record: EurekaRecord, options: PutInstanceOptions): Promise<PutResult>;
  /** Heartbeat: renews the lease; the instance, or undefined when unknown or expired. No revision. */
  renewInstance(app: string, id: string): Promise<StoredInstance | undefined>;
  /** Removes the instance and revokes its lease; what was removed, or undefined when unknown. */
  deleteInstance(app: string, id: string): Promise<Removed<StoredInstance> | undefined>;
  lease(app: string, id: string): Promise<LeaseState | undefined>;

  getLabels(app: string, instance: string): Promise<LabelEntry | undefined>;
  /** Replaces the labels of one instance; `ifModRevision` as for instances. */
  putLabels(app: string, instance: string, labels: Readonly<Record<string, string>>, ifModRevision?: number): Promise<LabelPutResult>;
  deleteLabels(app: string, instance: string): Promise<Removed<LabelEntry> | undefined>;

  /** Stops timers and flushes what must survive a restart. */
  close(): Promise<void>;
}

/** Identity of an instance key: application (upper-cased) and id. */
export function instanceKey(app: string, id: string): string {
  return `${app.toUpperCase()}\u0000${id}`;
}

/** Identity of a label entry: application (lower-cased: names are case-insensitive) and `host:port`. */
export function labelKey(app: string, instance: string): string {
  return `${app.toLowerCase()} ${instance}`;
}
