/**
 * The body worker pool: where a request body is parsed. Below `body.workerThreshold` bytes it
 * is parsed inline (a worker round trip would cost more than the parse); from there on its
 * bytes are transferred to a piscina worker (core/body-worker.ts) and come back with the
 * routing facts, so the event loop keeps serving everyone else meanwhile.
 *
 * The queue in front of the workers is bounded (`body.maxQueue`): a body that finds it full is
 * refused at once with 503 and Retry-After rather than held, and a queued body whose client has
 * closed its connection leaves the queue unparsed.
 *
 * Workers are expensive to start, so a pool outlives config versions: BodyPoolProvider shares
 * one per `body.workers` count, and a reload that keeps the count keeps the threads.
 */
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Logger } from './contracts.js';
import { parseBody, type BodyOutcome, type BodySchema } from './body-parse.js';
import type { BodyFault, BodyTask, BodyTaskResult } from './body-worker.js';
import { GatewayError } from './errors.js';
import type { WorkerPoolStats } from './metrics/worker-pools.js';

const WORKER_FILE = fileURLToPath(new URL('./body-worker.js', import.meta.url));

/**
 * Workers run at a lower priority than the event loop (Linux niceness per thread), so where
 * the threads share a core the loop still answers small requests promptly.
 */
const WORKER_NICENESS = 5;

/** What a refused body's client is told to wait: a queue of bodies drains in well under that. */
const RETRY_AFTER_SECONDS = 1;

export interface ParseSettings {
  readonly workerThreshold: number;
  readonly timeout: number;
  readonly maxQueue: number;
}

export interface ParsedBody {
  readonly outcome: BodyOutcome;
  /** The body's bytes; a new Buffer over the same memory when they went to a worker and back. */
  readonly bytes: Buffer;
}

/**
 * Buffers whose memory the gateway allocated itself, whole, and may therefore transfer. A
 * Buffer that merely looks whole could be memory Node reuses (a socket's read buffer).
 */
const transferable = new WeakSet<Buffer>();

function adopt(bytes: Buffer): Buffer {
  transferable.add(bytes);
  return bytes;
}

/** A copy of `chunks` in an ArrayBuffer of its own (never the Buffer pool), transferable to a worker. */
export function ownedCopy(chunks: readonly Buffer[], size: number): Buffer {
  const owned = Buffer.allocUnsafeSlow(size);
  let offset = 0;
  for (const chunk of chunks) offset += chunk.copy(owned, offset);
  return adopt(owned);
}

/** The reason a task is aborted when its thread spent body.timeout on it. */
class BodyWorkerTimeout extends Error {
  override readonly name = 'BodyWorkerTimeout';
}

/** The reason a queued task is aborted when its client's connection closed. */
class ClientGone extends Error {
  override readonly name = 'ClientGone';
}

function clientGone(cause?: unknown): GatewayError {
  return new GatewayError('LG_ERR_BODY_READ', {}, { cause });
}

export class BodyPool {
  /**
   * Bodies parsed on the event loop, in a worker, worker tasks that crashed or timed out, bodies
   * refused because the queue was full, and queued bodies dropped because their client left.
   */
  readonly counts = { inline: 0, worker: 0, failed: 0, rejected: 0, dropped: 0 };
  private readonly piscina: Piscina<BodyTask, BodyTaskResult> | undefined;
  private armedFault: BodyFault | undefined;

  constructor(readonly workers: number, private readonly logger: Logger) {
    if (workers === 0) return;
    this.piscina = new Piscina<BodyTask, BodyTaskResult>({
      filename: WORKER_FILE,
      name: 'default',
      minThreads: workers,
      maxThreads: workers,
      concurrentTasksPerWorker: 1,
      niceIncrement: WORKER_NICENESS,
      // piscina loads its worker file with require() first; on Node 20 that is require(esm),
      // which aborted the whole process once (FATAL "v8::ToLocalChecked Empty MaybeLocal" in
      // loadESMFromCJS) when a worker was stopped while loading. Without it piscina import()s.
      execArgv: [...process.execArgv, '--no-experimental-require-module'],
    });
    // Errors outside any task (a worker dying while idle): the pool replaces the worker itself.
    this.piscina.on('error', (error: unknown) => this.logger.error({ err: error }, 'a body worker failed outside a task'));
  }

  /** `connection` is the client's: a body still queued when it closes is dropped, not parsed. */
  async parse(bytes: Buffer, schema: BodySchema | undefined, settings: ParseSettings, connection?: Socket): Promise<ParsedBody> {
    if (!this.piscina || bytes.length < settings.workerThreshold) {
      this.counts.inline++;
      return { outcome: parseBody(bytes, schema), bytes };
    }
    if (this.piscina.queueSize >= settings.maxQueue) {
      this.counts.rejected++;
      throw new GatewayError('LG_ERR_BODY_QUEUE_FULL', { limit: settings.maxQueue, retryAfter: RETRY_AFTER_SECONDS }, { data: { retryAfter: RETRY_AFTER_SECONDS } });
    }
    if (connection?.destroyed) {
      this.counts.dropped++;
      throw clientGone();
    }
    this.counts.worker++;
    const length = bytes.length;
    const owned = transferable.has(bytes) ? bytes : ownedCopy([bytes], length);
    // body.timeout is the worker's own time on this body: the clock starts when a thread picks
    // the task up, so neither the wait in the queue nor a replacement thread's start-up counts.
    // Timing from submission made a long queue time out as a whole and killed busy threads.
    const started = new MessageChannel();
    const task: BodyTask = {
      bytes: owned.buffer as ArrayBuffer,
      schema: schema ? { key: schema.key, source: schema.source } : null,
      started: started.port2,
      ...(this.armedFault ? { fault: this.armedFault } : {}),
    };
    this.armedFault = undefined;
    const deadline = new AbortController();
    // Only while queued: a body a thread has started on is finished, since aborting it would
    // cost the thread (piscina terminates it) for an answer nobody reads either way. A close in
    // the instant between a thread starting and its message arriving still costs that thread.
    const leave = () => deadline.abort(new ClientGone());
    connection?.once('close', leave);
    let timer: NodeJS.Timeout | undefined;
    started.port1.once('message', () => {
      connection?.off('close', leave);
      timer = setTimeout(() => deadline.abort(new BodyWorkerTimeout()), settings.timeout);
    });
    try {
      const result = await this.piscina.run(task, { transferList: [task.bytes, started.port2], signal: deadline.signal });
      return { outcome: result.outcome, bytes: adopt(Buffer.from(result.bytes)) };
    } catch (error) {
      if (deadline.signal.reason instanceof ClientGone) {
        this.counts.dropped++;
        throw clientGone(error);
      }
      this.counts.failed++;
      const timedOut = deadline.signal.reason instanceof BodyWorkerTimeout;
      this.logger.error({ err: error, bytes: length }, timedOut ? 'a body worker timed out; it is replaced' : 'a body worker failed; it is replaced');
      throw timedOut
        ? new GatewayError('LG_ERR_BODY_WORKER_TIMEOUT', { timeout: settings.timeout }, { cause: error })
        : new GatewayError('LG_ERR_BODY_WORKER_FAILED', {}, { cause: error });
    } finally {
      connection?.off('close', leave);
      clearTimeout(timer);
      started.port1.close();
    }
  }

  /** Load figures for /metrics (core/metrics/worker-pools.ts); zeros without threads. */
  stats(): WorkerPoolStats {
    const piscina = this.piscina;
    if (!piscina) return { queueSize: 0, utilization: 0, threads: 0, completed: 0 };
    return { queueSize: piscina.queueSize, utilization: piscina.utilization, threads: piscina.threads.length, completed: piscina.completed };
  }

  /** Test hook: the next worker task crashes its thread, or spins until it is timed out. */
  injectFault(fault: BodyFault): void {
    this.armedFault = fault;
  }

  /** Finishes running tasks, then stops the threads. */
  async close(): Promise<void> {
    await this.piscina?.close();
  }

  async destroy(): Promise<void> {
    await this.piscina?.destroy();
  }
}

/** One pool per worker count, shared by every pipeline that asks for that count. */
export class BodyPoolProvider {
  private readonly entries = new Map<number, { pool: BodyPool; refs: number }>();

  constructor(private readonly logger: Logger) {}

  acquire(workers: number): BodyPool {
    let entry = this.entries.get(workers);
    if (!entry) {
      entry = { pool: new BodyPool(workers, this.logger), refs: 0 };
      this.entries.set(workers, entry);
    }
    entry.refs++;
    return entry.pool;
  }

  release(pool: BodyPool): void {
    const entry = this.entries.get(pool.workers);
    if (entry?.pool !== pool) return;
    if (--entry.refs === 0) {
      this.entries.delete(pool.workers);
      void pool.close();
    }
  }

  /** The pools' figures summed (one pool unless a reload changed `body.workers`). */
  stats(): WorkerPoolStats {
    const all = [...this.entries.values()].map((entry) => entry.pool.stats());
    const threads = all.reduce((sum, s) => sum + s.threads, 0);
    return {
      queueSize: all.reduce((sum, s) => sum + s.queueSize, 0),
      // Weighted by threads, so the figure stays a share of the whole capacity.
      utilization: threads === 0 ? 0 : all.reduce((sum, s) => sum + s.utilization * s.threads, 0) / threads,
      threads,
      completed: all.reduce((sum, s) => sum + (s.completed ?? 0), 0),
    };
  }

  async destroyAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((entry) => entry.pool.destroy()));
  }
}
