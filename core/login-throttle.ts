/**
 * Failed-login throttling: after `limit` failures for one key (strategy + user + client IP)
 * within `windowMs`, further attempts are refused until the window ends, before any password is
 * checked. Memory is bounded: expired entries are dropped when the table is full, then the oldest.
 */

interface Entry {
  failures: number;
  windowStart: number;
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 100_000, private readonly clock: () => number = Date.now) {}

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
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.evict(now, windowMs);
    this.entries.set(key, { failures: 1, windowStart: now });
  }

  succeed(key: string): void {
    this.entries.delete(key);
  }

  private evict(now: number, windowMs: number): void {
    for (const [key, entry] of this.entries) if (now - entry.windowStart >= windowMs) this.entries.delete(key);
    // Still full: forget the oldest (Map iteration is insertion order).
    for (const key of this.entries.keys()) {
      if (this.entries.size < this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
