/**
 * The price of observability: the plain proxy path with Prometheus metrics and access logs on
 * (`metrics.enabled`, `log.access`; access lines go to the gateway's stdout, a pipe) and off.
 *
 * One gateway process serves every window; between windows the two switches are flipped by a
 * hot reload, in ABBA order (off, on, on, off, …). Same process, same JIT state, windows a few
 * seconds apart: drift on a shared machine hits both sides alike. For each window it records
 * req/s and the gateway's CPU time per request (from /proc): the gateway saturates its core, so
 * its capacity is the inverse of that, and CPU time is far less disturbed by other processes
 * than wall-clock rates. Medians are compared. Goal: at most 5 % fewer req/s.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { runLoad, type LoadResult } from './lib/load.js';
import { startNode } from './lib/processes.js';
import type { Benchmark, BenchResult } from './lib/report.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const GATEWAY = path.join(HERE, 'lib', 'gateway-process.js');
const UPSTREAM = path.join(HERE, 'servers', 'upstream.js');
const WINDOW_SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const PAIRS = Number(process.env.BENCH_ROUNDS ?? 6);
const PATH = '/api/rest_j/v1/jobhistory/list';
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

type Side = 'off' | 'on';

function config(upstreamHost: string, side: Side): string {
  return `server: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
labels: { file: ./labels.json }
registry: { static: [ { app: linkis-ps-publicservice, instances: ["${upstreamHost}"] } ] }
security: { passThrough: ["^/api/"] }
log: { level: info, access: ${side === 'on'} }
metrics: { enabled: ${side === 'on'} }
`;
}

/** User + system CPU seconds of a process (Linux /proc; NaN elsewhere). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

interface Window {
  readonly load: LoadResult;
  /** Gateway CPU per request served, in microseconds. */
  readonly cpuMicros: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function summary(windows: readonly Window[]) {
  return {
    rps: median(windows.map((w) => w.load.rps)),
    p50: median(windows.map((w) => w.load.p50)),
    p99: median(windows.map((w) => w.load.p99)),
    cpu: median(windows.map((w) => w.cpuMicros)),
    errors: windows.reduce((sum, w) => sum + w.load.errors + w.load.non2xx, 0),
  };
}

const row = (label: string, s: ReturnType<typeof summary>) => ({
  label, values: { 'req/s': s.rps, 'p50 ms': s.p50, 'p99 ms': s.p99, 'CPU µs/req': s.cpu, errors: s.errors },
});

export const observability: Benchmark = {
  name: 'observability',
  description: `metrics and access logs on vs off in one gateway, ${PAIRS} ABBA pairs of ${WINDOW_SECONDS}s windows, 50 connections`,
  async run(): Promise<BenchResult> {
    const dir = await mkdtemp(path.join(tmpdir(), 'labelgate-bench-observability-'));
    const file = path.join(dir, 'gateway.yaml');
    const upstream = await startNode(UPSTREAM, [], 1);
    const upstreamHost = new URL(upstream.url).host;
    await writeFile(file, config(upstreamHost, 'on'));
    const gateway = await startNode(GATEWAY, [file], 0);
    const urls = JSON.parse(gateway.url) as { gateway: string; admin: string };
    const windows: Record<Side, Window[]> = { off: [], on: [] };
    try {
      await runLoad({ url: urls.gateway + PATH, connections: 50, durationSeconds: 3 }, 1); // warm-up
      for (let pair = 0; pair < PAIRS; pair++) {
        for (const side of pair % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
          await writeFile(file, config(upstreamHost, side));
          const reload = await request(`${urls.admin}/admin/reload`, { method: 'POST' });
          const outcome = (await reload.body.json()) as { ok: boolean };
          if (!outcome.ok) throw new Error(`reload to "${side}" failed`);
          const before = cpuSeconds(gateway.child.pid!);
          const load = await runLoad({ url: urls.gateway + PATH, connections: 50, durationSeconds: WINDOW_SECONDS }, 1);
          windows[side].push({ load, cpuMicros: ((cpuSeconds(gateway.child.pid!) - before) / Math.max(load.requests, 1)) * 1e6 });
        }
      }
    } finally {
      await gateway.stop();
      await upstream.stop();
      await rm(dir, { recursive: true, force: true });
    }
    const [off, on] = [summary(windows.off), summary(windows.on)];
    return {
      title: `Observability cost: GET ${PATH} through one labelgate, switches flipped by hot reload (medians)`,
      rows: [row('metrics + access log off', off), row('metrics + access log on', on)],
      notes: [
        `load generator: ${windows.on[0]!.load.tool}; access lines go to the gateway's stdout (a pipe to the benchmark)`,
        `req/s per window, off: ${windows.off.map((w) => Math.round(w.load.rps)).join(' ')}; on: ${windows.on.map((w) => Math.round(w.load.rps)).join(' ')}`,
      ],
      ratios: [
        { label: 'req/s on ÷ req/s off', value: on.rps / off.rps, goal: '>= 0.95' },
        { label: 'capacity on ÷ off (CPU per request off ÷ on)', value: off.cpu / on.cpu, goal: '>= 0.95' },
        { label: 'p99 on ÷ p99 off', value: on.p99 / Math.max(off.p99, 0.001) },
      ],
    };
  },
};
