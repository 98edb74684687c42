/**
 * A watch on one key range from a given revision that survives reconnects, on the raw `Watch`
 * stream (etcd3's watcher resumes from the revision in the last response *header*, which can skip
 * events still being replayed when the connection drops; here the resume point is the revision
 * of the last event delivered):
 *
 *   create(range, start R) ──► events in revision order ──► handler.events(batch); next = last + 1
 *        ▲                                                      │
 *        └── stream error / end: reconnect with backoff, start = next
 *   canceled with compact_revision: R is no longer in etcd's history ──► handler.compacted(); stop
 *
 * The owner of a compacted watch lists the range again and starts a new watch after that list.
 */
import type { Etcd3, IDuplexStream, IEvent, IWatchRequest, IWatchResponse } from 'etcd3';
import type { Logger } from '../contracts.js';
import type { KeyRange } from './keys.js';

type Stream = IDuplexStream<IWatchRequest, IWatchResponse>;

export interface RangeWatchHandler {
  /** Events of one or more revisions, oldest first. */
  events(events: readonly IEvent[]): void;
  /** The start revision was compacted away; the watch has stopped. */
  compacted(): void;
}

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2000;

export class RangeWatch {
  private stream: Stream | undefined;
  private next: number;
  private backoff = FIRST_BACKOFF_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** True while a watch is established on some member. */
  connected = false;

  constructor(
    private readonly client: Etcd3,
    private readonly range: KeyRange,
    fromRevision: number,
    private readonly handler: RangeWatchHandler,
    private readonly logger: Logger,
  ) {
    this.next = fromRevision;
    this.connect();
  }

  /** The revision the watch resumes from after a reconnect. */
  get nextRevision(): number {
    return this.next;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.stream?.cancel();
    this.stream = undefined;
  }

  private connect(): void {
    if (this.closed) return;
    this.client.watchClient.watch().then((stream) => {
      if (this.closed) {
        stream.cancel();
        return;
      }
      this.stream = stream;
      stream.on('data', (response) => this.receive(stream, response));
      stream.on('error', (error) => this.lost(stream, error));
      stream.on('end', () => this.lost(stream, new Error('the watch stream ended')));
      stream.write({ create_request: { key: this.range.key, range_end: this.range.rangeEnd, start_revision: this.next, prev_kv: true } });
    }, (error: unknown) => this.retry(error));
  }

  private receive(stream: Stream, response: IWatchResponse): void {
    if (stream !== this.stream) return;
    if (response.canceled) {
      if (Number(response.compact_revision) > 0) {
        this.logger.warn({ from: this.next, compacted: Number(response.compact_revision) }, 'etcd compacted the revisions this watch needs');
        this.close();
        this.handler.compacted();
        return;
      }
      this.lost(stream, new Error(`etcd cancelled the watch: ${response.cancel_reason || 'no reason given'}`));
      return;
    }
    if (response.created) {
      if (!this.connected) this.logger.info({ from: this.next }, 'etcd watch established');
      this.connected = true;
      this.backoff = FIRST_BACKOFF_MS;
    }
    if (response.events.length === 0) return;
    this.next = Number(response.events[response.events.length - 1]!.kv.mod_revision) + 1;
    try {
      this.handler.events(response.events);
    } catch (error) {
      // The reader's failure must not be mistaken for a broken stream (which would replay the batch).
      this.logger.error({ err: error }, 'an etcd watch reader failed on a batch of events');
    }
  }

  private lost(stream: Stream, error: Error): void {
    if (stream !== this.stream || this.closed) return;
    this.stream = undefined;
    stream.cancel();
    this.retry(error);
  }

  private retry(error: unknown): void {
    if (this.closed) return;
    if (this.connected) this.logger.warn({ err: error, resumeFrom: this.next }, 'etcd watch lost; reconnecting');
    this.connected = false;
    this.retryTimer = setTimeout(() => this.connect(), this.backoff);
    this.retryTimer.unref();
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
  }
}
