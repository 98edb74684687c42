/**
 * `deliver`: fire and forget through a bounded local queue (Linkis: 2000 messages, sent by a
 * pool of consumers). Each queued message is then `send`-ed through the whole interceptor chain,
 * retries included. A full queue refuses the message at once (LG_ERR_RPC_DELIVER_QUEUE_FULL);
 * a send that fails for good is reported to `onUndelivered` and kept for the close report.
 * Closing stops new messages, drains the queue within a deadline and reports what it could not
 * deliver: failed sends and messages still waiting when the deadline passed.
 */
import { GatewayError } from '../errors.js';
import type { Target } from './invocation.js';
import type { Message } from './message-types.js';
import { WorkQueue } from './work-queue.js';

export interface Undelivered {
  readonly message: Message;
  readonly target: Target;
  readonly error: unknown;
}

export interface DeliveryOptions {
  readonly queueSize: number;
  readonly concurrency: number;
  readonly onUndelivered: (undelivered: Undelivered) => void;
}

export class DeliveryQueue {
  private readonly queue: WorkQueue;
  /** The most recent failures (at most queueSize), handed over by `close`. */
  private failures: Undelivered[] = [];
  private closing = false;

  constructor(private readonly send: (message: Message, target: Target) => Promise<void>, private readonly options: DeliveryOptions, private readonly application: string) {
    this.queue = new WorkQueue(options.queueSize, options.concurrency, () => this.full());
  }

  /** Messages accepted and not yet sent or failed. */
  get pending(): number {
    return this.queue.queued + this.queue.active;
  }

  /** Queues the message; throws at once when the queue is full or closing. */
  deliver(message: Message, target: Target): void {
    if (this.closing) throw new GatewayError('LG_ERR_RPC_CLOSED', { application: this.application });
    if (this.queue.isFull()) throw this.full();
    this.queue.run(() => this.send(message, target)).catch((error: unknown) => this.fail({ message, target, error }));
  }

  /** Stops taking messages, waits up to `drainMs` for the queue to empty, and reports the undelivered. */
  async close(drainMs: number): Promise<Undelivered[]> {
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)));
    await Promise.race([this.queue.idle(), deadline]);
    clearTimeout(timer);
    this.queue.cancelWaiting(new GatewayError('LG_ERR_RPC_CLOSED', { application: this.application }));
    // Cancelled sends report through the same catch as failed ones; let them land.
    await new Promise((resolve) => setImmediate(resolve));
    const report = this.failures;
    this.failures = [];
    return report;
  }

  private full(): GatewayError {
    return new GatewayError('LG_ERR_RPC_DELIVER_QUEUE_FULL', { limit: this.options.queueSize }, { data: { retryable: true, received: false } });
  }

  private fail(undelivered: Undelivered): void {
    this.failures.push(undelivered);
    if (this.failures.length > this.options.queueSize) this.failures.shift();
    this.options.onUndelivered(undelivered);
  }
}
