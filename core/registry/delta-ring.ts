/**
 * The changes `/eureka/apps/delta` answers with: every register (ADDED), status or metadata
 * change (MODIFIED) and cancel or expiry (DELETED) of the last `retentionMs` (Eureka: 3 minutes).
 * A client that fetches more often than that never misses a change; one that fetched less
 * often sees a hash mismatch and falls back to a full fetch.
 */
import type { ServedInstance } from './eureka-output.js';

interface Entry {
  readonly at: number;
  readonly change: ServedInstance;
}

export class DeltaRing {
  private entries: Entry[] = [];

  constructor(private readonly retentionMs: number, private readonly now: () => number = Date.now) {}

  push(change: ServedInstance): void {
    this.entries.push({ at: this.now(), change });
    this.prune();
  }

  /** Changes still inside the retention window, oldest first. */
  changes(): ServedInstance[] {
    this.prune();
    return this.entries.map((entry) => entry.change);
  }

  clear(): void {
    this.entries = [];
  }

  private prune(): void {
    const oldest = this.now() - this.retentionMs;
    let drop = 0;
    while (drop < this.entries.length && this.entries[drop]!.at < oldest) drop++;
    if (drop > 0) this.entries = this.entries.slice(drop);
  }
}
