/**
 * The memory store's change stream: a bounded history of events by revision and the watchers
 * reading it. A watch from an old revision replays the history first; a revision that has
 * already been trimmed answers `compacted`, as etcd does, so readers re-list.
 *
 * Delivery is synchronous and queued: a watcher that writes to the store while being told about
 * an event gets its own event after every watcher has seen the first, so all watchers see one
 * order.
 */
import type { Logger } from '../contracts.js';
import type { StoreEvent, StoreWatch, WatchListener } from './store.js';

export class EventLog {
  private readonly history: StoreEvent[] = [];
  /** Revisions below this are no longer replayable (trimmed, or loaded before the log existed). */
  private firstRetained: number;
  private readonly watchers = new Set<WatchListener>();
  private readonly queue: StoreEvent[] = [];
  private delivering = false;

  constructor(startRevision: number, private readonly limit: number, private readonly logger?: Logger) {
    this.firstRetained = startRevision + 1;
  }

  append(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.limit) {
      this.history.splice(0, this.history.length - this.limit);
      this.firstRetained = this.history[0]!.revision;
    }
    this.queue.push(event);
    this.drain();
  }

  watch(fromRevision: number, listener: WatchListener): StoreWatch {
    if (fromRevision < this.firstRetained) {
      this.safely(() => listener.compacted());
      return { close: () => undefined };
    }
    const replay = this.history.filter((event) => event.revision >= fromRevision);
    if (replay.length > 0) this.safely(() => listener.events(replay));
    this.watchers.add(listener);
    return { close: () => this.watchers.delete(listener) };
  }

  close(): void {
    this.watchers.clear();
  }

  private drain(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let event = this.queue.shift(); event !== undefined; event = this.queue.shift()) {
        const batch = [event];
        for (const watcher of [...this.watchers]) this.safely(() => watcher.events(batch));
      }
    } finally {
      this.delivering = false;
    }
  }

  private safely(call: () => void): void {
    try {
      call();
    } catch (error) {
      // A failing reader must not make a write fail or starve the other readers.
      this.logger?.error({ err: error }, 'a registry watcher failed on an event');
    }
  }
}
