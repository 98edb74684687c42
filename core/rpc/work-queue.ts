/**
 * A bounded queue in front of a concurrency limit, shared by the receiver (messages waiting for
 * a receiver slot) and the sender's `deliver` (messages waiting to be sent). At most
 * `concurrency` tasks run; up to `limit` more wait, first in first out; one more is refused at
 * once with the owner's error (the receiver answers 15555), so a flood costs memory in
 * proportion to `limit`, never a crash.
 */

interface Job {
  readonly start: () => void;
  readonly cancel: (reason: unknown) => void;
  cancelled: boolean;
}

export class WorkQueue {
  private running = 0;
  private waiting: Job[] = [];
  private head = 0;
  /** Waiting jobs not cancelled (cancelled ones stay in `waiting` until the head passes them). */
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
   * Runs `task` once a slot is free. Rejects at once with the `full` error when `limit` tasks wait
   * already; `signal` aborting while the task still waits drops it (its reason is the rejection).
   */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.running < this.concurrency && this.queued === 0) return this.execute(task);
    if (this.pending >= this.limit) return Promise.reject(this.full());
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        cancelled: false,
        start: () => {
          this.pending--;
          signal?.removeEventListener('abort', onAbort);
          this.execute(task).then(resolve, reject);
        },
        cancel: (reason) => {
          this.pending--;
          job.cancelled = true;
          reject(reason);
          this.settleIdle();
        },
      };
      const onAbort = () => job.cancel(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(job);
      this.pending++;
    });
  }

  /** Drops every waiting task, rejecting it with `reason`; running tasks go on. */
  cancelWaiting(reason: unknown): void {
    const jobs = this.waiting.slice(this.head);
    this.waiting = [];
    this.head = 0;
    for (const job of jobs) if (!job.cancelled) job.cancel(reason);
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
      this.running--;
      this.startNext();
    }
  }

  private startNext(): void {
    while (this.running < this.concurrency && this.head < this.waiting.length) {
      const job = this.waiting[this.head++]!;
      if (!job.cancelled) job.start();
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
