/**
 * Sessions in etcd, shared by every gateway of the cluster: log in through one gateway, use the
 * cookie on another. Each session is one key under `<prefix>sessions/` holding the record, with
 * a lease of the session's remaining TTL, so etcd forgets sessions nobody refreshes.
 *
 *   put (login, refresh) ─► grant lease(TTL) ─► put key with it ─► revoke the replaced lease
 *   sessions/ watch ─► local copy ◄─ get (every request with a cookie: no etcd round trip)
 *                                    └─ not in the copy (logged in elsewhere a moment ago): read etcd
 *
 * The local copy keeps authenticated traffic flowing while etcd is unreachable; logins and
 * logouts then answer LG_ERR_SESSION_STORE_UNAVAILABLE (503).
 */
import type { IKeyValue } from 'etcd3';
import type { Logger } from '../contracts.js';
import type { EtcdConnection } from '../etcd/connection.js';
import { prefixRange } from '../etcd/keys.js';
import { RangeWatch } from '../etcd/range-watch.js';
import { DEFAULT_MAX_SESSIONS, type SessionRecord, type SessionStore } from './session-store.js';

const CODE = { code: 'LG_ERR_SESSION_STORE_UNAVAILABLE' } as const;
const RETRY_MS = 1000;

interface Entry {
  readonly record: SessionRecord;
  readonly expiresAt: number;
  readonly leaseId: string;
}

function decode(kv: IKeyValue): Entry | undefined {
  try {
    const value = JSON.parse(kv.value.toString('utf8')) as { record?: SessionRecord; expiresAt?: number };
    if (typeof value.record?.user !== 'string' || typeof value.expiresAt !== 'number') return undefined;
    return { record: value.record, expiresAt: value.expiresAt, leaseId: String(kv.lease) };
  } catch {
    return undefined;
  }
}

export class EtcdSessionStore implements SessionStore {
  private readonly entries = new Map<string, Entry>();
  private watch: RangeWatch | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  /** True once the local copy holds every session etcd had at some revision. */
  synced = false;

  constructor(
    private readonly etcd: EtcdConnection,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
    private readonly maxSessions = DEFAULT_MAX_SESSIONS,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Loads every session and follows changes; retries in the background while etcd is unreachable. */
  async start(): Promise<void> {
    try {
      const listing = await this.etcd.list('sessions list', this.etcd.keys.sessions, CODE);
      if (this.closed) return;
      this.entries.clear();
      for (const kv of listing.kvs) this.apply(kv, 'Put');
      this.watch = new RangeWatch(this.etcd.client, prefixRange(this.etcd.keys.sessions), listing.revision + 1, {
        events: (events) => { for (const event of events) this.apply(event.kv, event.type); },
        compacted: () => void this.start(),
      }, this.logger.child({ watch: 'sessions' }));
      this.synced = true;
    } catch (error) {
      if (this.closed) return;
      this.logger.warn({ err: error }, 'loading sessions from etcd failed; retrying');
      this.retry = setTimeout(() => void this.start(), RETRY_MS);
      this.retry.unref();
    }
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const entry = this.entries.get(id) ?? (await this.read(id));
    if (!entry || entry.expiresAt <= this.clock()) return undefined;
    return entry.record;
  }

  async put(id: string, record: SessionRecord, expiresAt: number): Promise<void> {
    const until = this.clock() + this.etcd.timeoutMs;
    const ttlSeconds = Math.max(1, Math.ceil((expiresAt - this.clock()) / 1000));
    const lease = await this.etcd.grant('session lease', ttlSeconds, { ...CODE, until });
    const outcome = await this.etcd.putIf('session write', {
      key: this.etcd.keys.session(id), value: Buffer.from(JSON.stringify({ record, expiresAt })), compare: [], lease,
    }, { ...CODE, until });
    if (!outcome.ok) return;
    this.entries.set(id, { record, expiresAt, leaseId: lease });
    if (outcome.previous) this.etcd.revokeLater(String(outcome.previous.lease));
    if (this.entries.size > this.maxSessions) await this.forgetLeastRecentlyUsed(id);
  }

  /**
   * The cluster keeps at most `maxSessions` (every gateway mirrors them all): past it, the session
   * used longest ago is deleted in etcd, for every gateway. The scan is paid only by a login that
   * finds the table full.
   */
  private async forgetLeastRecentlyUsed(keep: string): Promise<void> {
    const now = this.clock();
    let oldest: string | undefined;
    let oldestAccess = Infinity;
    for (const [id, entry] of this.entries) {
      if (id === keep) continue;
      const access = entry.expiresAt <= now ? -Infinity : entry.record.lastAccess;
      if (access < oldestAccess) [oldest, oldestAccess] = [id, access];
    }
    if (oldest !== undefined) await this.delete(oldest);
  }

  async delete(id: string): Promise<void> {
    this.entries.delete(id);
    const removed = await this.etcd.delete('session delete', this.etcd.keys.session(id), CODE);
    if (removed) this.etcd.revokeLater(String(removed.previous.lease));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.watch?.close();
    this.entries.clear();
  }

  private async read(id: string): Promise<Entry | undefined> {
    const { kv } = await this.etcd.get('session read', this.etcd.keys.session(id), CODE);
    const entry = kv && decode(kv);
    if (entry) this.entries.set(id, entry);
    return entry;
  }

  private apply(kv: IKeyValue, type: 'Put' | 'Delete'): void {
    const id = decodeURIComponent(kv.key.toString('utf8').slice(this.etcd.keys.sessions.length));
    const entry = type === 'Put' ? decode(kv) : undefined;
    if (entry) this.entries.set(id, entry);
    else this.entries.delete(id);
  }
}
