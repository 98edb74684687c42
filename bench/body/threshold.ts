/**
 * Where `body.workerThreshold` should be: for each body size, what parsing costs the event loop
 * inline, and what handing the body to a worker and taking the answer back costs it. Below the
 * crossover a worker costs the loop more than the parse it saves; above it, offloading wins.
 * Loop time is measured with performance.eventLoopUtilization(), so the worker path counts
 * every piece of main-thread work (transfer, wake-up, continuation), not only the synchronous call.
 */
import { performance } from 'node:perf_hooks';
import { BodyPool, ownedCopy } from '../../core/body-pool.js';
import { createLogger } from '../../core/logger.js';
import { submitPayload } from './payload.js';
import { median } from '../lib/median.js';

export interface ThresholdRow {
  readonly size: number;
  /** Event-loop microseconds per body, parsed inline. */
  readonly inlineUs: number;
  /** Event-loop microseconds per body, parsed in a worker. */
  readonly workerLoopUs: number;
  /** Wall microseconds per body through a worker (the latency the request pays). */
  readonly workerWallUs: number;
}

const BUDGET_MS = 250;

async function measureSize(pool: BodyPool, size: number): Promise<ThresholdRow> {
  const text = Buffer.from(submitPayload(size));
  const inline = { workerThreshold: Number.POSITIVE_INFINITY, timeout: 10_000, maxQueue: 32 };
  const offload = { workerThreshold: 0, timeout: 10_000, maxQueue: 32 };
  const inlineSamples: number[] = [];
  for (const started = performance.now(); performance.now() - started < BUDGET_MS;) {
    const t0 = performance.now();
    await pool.parse(text, undefined, inline);
    inlineSamples.push((performance.now() - t0) * 1000);
  }
  let bytes = ownedCopy([text], text.length);
  for (let i = 0; i < 20; i++) bytes = (await pool.parse(bytes, undefined, offload)).bytes; // warm the worker's JIT
  const before = performance.eventLoopUtilization();
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < BUDGET_MS) {
    bytes = (await pool.parse(bytes, undefined, offload)).bytes;
    count++;
  }
  const wall = performance.now() - started;
  const loop = performance.eventLoopUtilization(before);
  return { size, inlineUs: median(inlineSamples), workerLoopUs: (loop.active * 1000) / count, workerWallUs: (wall * 1000) / count };
}

export async function measureThreshold(sizes: readonly number[]): Promise<ThresholdRow[]> {
  const pool = new BodyPool(1, createLogger('silent'));
  try {
    const rows: ThresholdRow[] = [];
    for (const size of sizes) rows.push(await measureSize(pool, size));
    return rows;
  } finally {
    await pool.destroy();
  }
}

/** The smallest measured size from which parsing inline costs the loop more than a worker does. */
export function crossover(rows: readonly ThresholdRow[]): number | undefined {
  const index = rows.findIndex((_, i) => rows.slice(i).every((later) => later.inlineUs > later.workerLoopUs));
  return index < 0 ? undefined : rows[index]!.size;
}
