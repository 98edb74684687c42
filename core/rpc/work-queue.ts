/**
 * A bounded queue in front of a concurrency limit, shared by the receiver (messages waiting for
 * a receiver slot) and the sender's `deliver` (messages waiting to be sent). At most
 * `concurrency` tasks run; up to `limit` more wait, first in first out; one more is refused at
 * once with the owner's error (the receiver answers 15555), so a flood costs memory in
 * proportion to `limit`, never a crash.
 */

/** Filled in by `run` when a task has to wait: a way to drop it. */
export interface QueueTicket {
  cancel?: (reason: unknown) => void;
}

interface Job {
  readonly start: () => void;
  readonly cancel: (reason: unknown) => void;
  /** Started or cancelled: it no longer waits. */
  left: boolean;
}

export function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

export class WorkQueue {
  private running = 0;
  private waiting: Job[] = [];
  private head = 0;
  /** Jobs still waiting (ones that left stay in `waiting` until the head passes them). */
  private pending = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly limit: number,
    readonly concurrency: number,
    private readonly full: () => Error,
  ) {}

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.pending;
  }

  get active(): number {
    return this.running;
  }

  /** Whether `run` would refuse a task now. */
  isFull(): boolean {
    return !(this.running < this.concurrency && this.pending === 0) && this.pending >= this.limit;
  }

  /**
   * Like `run`, but when a slot is free the task starts synchronously and a synchronous result
   * comes back as it is (no promise): the receiver's fast path for answers computed at once.
   * Throws what the task throws synchronously.
   */
  runNow<T>(task: () => T | Promise<T>, ticket?: QueueTicket): T | Promise<T> {
    if (!(this.running < this.concurrency && this.pending === 0)) return this.run(async () => task(), ticket);
    this.running++;
    let result: T | Promise<T>;
    try {
      result = task();
    } catch (error) {
      this.release();
      throw error;
    }
    if (!isThenable(result)) {
      this.release();
      return result;
    }
    return Promise.resolve(result).finally(() => this.release());
  }

  /**
   * Runs `task` once a slot is free. Rejects at once with the `full` error when `limit` tasks wait
   * already. When the task has to wait, `ticket.cancel(reason)` is set: calling it drops the task
   * (the promise rejects with `reason`); it does nothing once the task started.
   */
  run<T>(task: () => Promise<T>, ticket?: QueueTicket): Promise<T> {
    if (this.running < this.concurrency && this.pending === 0) return this.execute(task);
    if (this.pending >= this.limit) return Promise.reject(this.full());
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        left: false,
        start: () => {
          this.pending--;
          job.left = true;
          this.execute(task).then(resolve, reject);
        },
        cancel: (reason) => {
          if (job.left) return;
          this.pending--;
          job.left = true;
          reject(reason);
          this.settleIdle();
        },
      };
      if (ticket) ticket.cancel = job.cancel;
      this.waiting.push(job);
      this.pending++;
    });
  }

  /** Drops every waiting task, rejecting it with `reason`; running tasks go on. */
  cancelWaiting(reason: unknown): void {
    const jobs = this.waiting.slice(this.head);
    this.waiting = [];
    this.head = 0;
    for (const job of jobs) if (!job.left) job.cancel(reason);
    this.settleIdle();
  }

  /** Resolves when nothing runs and nothing waits. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async execute<T>(task: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private release(): void {
    this.running--;
    this.startNext();
  }

  private startNext(): void {
    while (this.running < this.concurrency && this.head < this.waiting.length) {
      const job = this.waiting[this.head++]!;
      if (!job.left) job.start();
    }
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    this.settleIdle();
  }

  private settleIdle(): void {
    if (this.running > 0 || this.pending > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
