/**
 * Failed-login throttling: after `limit` failures for one key (strategy + user + client IP)
 * within `windowMs`, further attempts are refused until the window ends, before any password is
 * checked. Memory is bounded by an LRU (lru-cache): a full table forgets the key touched longest
 * ago, in constant time, so a flood of made-up users costs neither memory nor a scan per attempt.
 */
import { LRUCache } from 'lru-cache';

interface Entry {
  failures: number;
  windowStart: number;
}

export class LoginThrottle {
  private readonly entries: LRUCache<string, Entry>;

  constructor(maxEntries = 100_000, private readonly clock: () => number = Date.now) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  get size(): number {
    return this.entries.size;
  }

  /** Seconds until `key` may try again, or 0 when it may try now. */
  retryAfter(key: string, limit: number, windowMs: number): number {
    const entry = this.entries.get(key);
    if (!entry) return 0;
    const left = entry.windowStart + windowMs - this.clock();
    if (left <= 0) {
      this.entries.delete(key);
      return 0;
    }
    return entry.failures >= limit ? Math.ceil(left / 1000) : 0;
  }

  fail(key: string, windowMs: number): void {
    const now = this.clock();
    const entry = this.entries.get(key);
    if (entry && now - entry.windowStart < windowMs) {
      entry.failures++;
      return;
    }
    this.entries.set(key, { failures: 1, windowStart: now });
  }

  succeed(key: string): void {
    this.entries.delete(key);
  }
}
