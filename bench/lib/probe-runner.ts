/**
 * Child process: a latency probe. Sends GETs at a fixed rate (open loop) for a while and prints
 * every latency as JSON. Latency is counted from when each request was due, not when
 * it was sent, so a stalled server cannot hide its stall by slowing the probe down (coordinated
 * omission); values are in microseconds, finer than autocannon's whole milliseconds.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

const options = JSON.parse(process.argv[2]!) as { url: string; rate: number; durationSeconds: number; connections?: number };
const target = new URL(options.url);
const pool = new Pool(target.origin, { connections: options.connections ?? 8 });
const latencies: number[] = [];
let errors = 0;

async function one(due: number): Promise<void> {
  try {
    const response = await pool.request({ method: 'GET', path: target.pathname + target.search });
    await response.body.dump();
    if (response.statusCode >= 400) errors++;
    else latencies.push((performance.now() - due) * 1000);
  } catch {
    errors++;
  }
}

// Warm-up, not recorded: open the connections and let both sides' JIT settle.
for (let i = 0; i < 4 * (options.connections ?? 8); i++) {
  const response = await pool.request({ method: 'GET', path: target.pathname + target.search });
  await response.body.dump();
}

const interval = 1000 / options.rate;
const start = performance.now() + 10;
const total = Math.round(options.rate * options.durationSeconds);
const inflight: Promise<void>[] = [];
for (let i = 0; i < total; i++) {
  const due = start + i * interval;
  const wait = due - performance.now();
  if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait - 1));
  while (performance.now() < due); // the last millisecond spun, for an even schedule
  inflight.push(one(due));
}
await Promise.all(inflight);
await pool.close();

process.stdout.write(JSON.stringify({ errors, latencies: latencies.map(Math.round) }));
