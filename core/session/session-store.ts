/**
 * Where sessions live. The gateway keeps only a digest of each ticket as the key, so the store
 * (memory now; etcd when several gateways share sessions) never holds a usable ticket. The
 * interface is async because the etcd store does I/O; the memory one answers at once.
 */
import { LRUCache } from 'lru-cache';

export interface SessionRecord {
  readonly user: string;
  readonly admin: boolean;
  /** The strategy that authenticated the login. */
  readonly via: string;
  readonly createdAt: number;
  /** Last time the session was refreshed (ms since the epoch); idle expiry counts from here. */
  readonly lastAccess: number;
}

export interface SessionStore {
  get(id: string): Promise<SessionRecord | undefined>;
  /**
   * The same answer as `get`, given at once, for stores that hold their records in this process;
   * absent on stores that must ask elsewhere. Lets a live session cost no promise and no timer.
   */
  peek?(id: string): SessionRecord | undefined;
  /** Creates or replaces a record; the store may forget it once `expiresAt` (ms epoch) has passed. */
  put(id: string, record: SessionRecord, expiresAt: number): Promise<void>;
  delete(id: string): Promise<void>;
  close(): Promise<void>;
}

/** Live sessions a store keeps by default (`security.session.maxSessions`). */
export const DEFAULT_MAX_SESSIONS = 100_000;

/**
 * Sessions in this process; a sweeper drops expired ones so memory follows live sessions, and at
 * most `maxSessions` are kept (lru-cache): one more login forgets the session used longest ago,
 * so a credential holder logging in in a loop cannot grow the gateway's memory.
 */
export class MemorySessionStore implements SessionStore {
  private readonly records: LRUCache<string, { record: SessionRecord; expiresAt: number }>;
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepEveryMs: number, private readonly clock: () => number = Date.now, maxSessions = DEFAULT_MAX_SESSIONS) {
    this.records = new LRUCache({ max: maxSessions });
    this.sweeper = setInterval(() => this.sweep(), Math.max(1000, sweepEveryMs));
    this.sweeper.unref();
  }

  get size(): number {
    return this.records.size;
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    return this.peek(id);
  }

  peek(id: string): SessionRecord | undefined {
    const entry = this.records.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock()) {
      this.records.delete(id);
      return undefined;
    }
    return entry.record;
  }

  async put(id: string, record: SessionRecord, expiresAt: number): Promise<void> {
    this.records.set(id, { record, expiresAt });
  }

  async delete(id: string): Promise<void> {
    this.records.delete(id);
  }

  sweep(): void {
    const now = this.clock();
    const expired: string[] = [];
    for (const [id, entry] of this.records.entries()) if (entry.expiresAt <= now) expired.push(id);
    for (const id of expired) this.records.delete(id);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.records.clear();
  }
}
