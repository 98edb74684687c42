/**
 * The price of observability: the plain proxy path with Prometheus metrics and access logs on
 * (`metrics.enabled`, `log.access`; access lines written to the gateway's stdout, a pipe) and
 * off, in the same run against the same upstream. Goal: at most 5 % fewer req/s.
 *
 * On a shared machine req/s swings by more than the effect measured, so rounds alternate
 * off/on in ABBA order (drift and position hit both alike), medians are compared, and the gateway's CPU time per request
 * is reported too (read from /proc): the gateway saturates its core, so its capacity is the
 * inverse of that, and CPU time is far less disturbed by other processes than wall-clock rates.
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad, type LoadResult } from './lib/load.js';
import { startNode } from './lib/processes.js';
import type { Benchmark, BenchResult } from './lib/report.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const server = (name: string) => path.join(HERE, 'servers', `${name}.js`);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PATH = '/api/rest_j/v1/jobhistory/list';
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

const SETTINGS = {
  off: 'log: { level: info, access: false }\nmetrics: { enabled: false }\n',
  on: 'log: { level: info, access: true }\nmetrics: { enabled: true }\n',
} as const;

interface Round {
  readonly load: LoadResult;
  /** Gateway CPU (user + system) per request served, in microseconds; NaN without /proc. */
  readonly cpuMicros: number;
}

/** User + system CPU seconds of a process (Linux /proc; taskset execs node, so the pid is node's). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

async function measure(upstreamUrl: string, yaml: string): Promise<Round> {
  const gateway = await startNode(server('labelgate'), [upstreamUrl, yaml], 0);
  try {
    await runLoad({ url: gateway.url + PATH, connections: 50, durationSeconds: 2 }, 1); // warm-up
    const before = cpuSeconds(gateway.child.pid!);
    const load = await runLoad({ url: gateway.url + PATH, connections: 50, durationSeconds: DURATION }, 1);
    const cpu = cpuSeconds(gateway.child.pid!) - before;
    return { load, cpuMicros: (cpu / Math.max(load.requests, 1)) * 1e6 };
  } finally {
    await gateway.stop();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function summary(rounds: readonly Round[]) {
  return {
    rps: median(rounds.map((r) => r.load.rps)),
    p50: median(rounds.map((r) => r.load.p50)),
    p99: median(rounds.map((r) => r.load.p99)),
    cpu: median(rounds.map((r) => r.cpuMicros)),
    errors: rounds.reduce((sum, r) => sum + r.load.errors + r.load.non2xx, 0),
    each: rounds.map((r) => Math.round(r.load.rps)).join(' / '),
  };
}

const row = (label: string, s: ReturnType<typeof summary>) => ({
  label, values: { 'req/s': s.rps, 'p50 ms': s.p50, 'p99 ms': s.p99, 'CPU µs/req': s.cpu, errors: s.errors, 'req/s per round': s.each },
});

export const observability: Benchmark = {
  name: 'observability',
  description: `metrics and access logs on vs off, ${ROUNDS} alternating rounds of ${DURATION}s, 50 connections`,
  async run(): Promise<BenchResult> {
    const upstream = await startNode(server('upstream'), [], 1);
    const off: Round[] = [];
    const on: Round[] = [];
    try {
      // off, on, on, off, off, on …: neither side always runs first.
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
        for (const side of order) (side === 'off' ? off : on).push(await measure(upstream.url, SETTINGS[side]));
      }
    } finally {
      await upstream.stop();
    }
    const [offSummary, onSummary] = [summary(off), summary(on)];
    return {
      title: `Observability cost: GET ${PATH} through labelgate (medians of ${ROUNDS} rounds)`,
      rows: [row('metrics + access log off', offSummary), row('metrics + access log on', onSummary)],
      notes: [`load generator: ${on[0]!.load.tool}; access lines go to the gateway's stdout (a pipe to the benchmark)`],
      ratios: [
        { label: 'req/s on ÷ req/s off', value: onSummary.rps / offSummary.rps, goal: '>= 0.95' },
        { label: 'capacity on ÷ off (CPU per request off ÷ on)', value: offSummary.cpu / onSummary.cpu, goal: '>= 0.95' },
        { label: 'p99 on ÷ p99 off', value: onSummary.p99 / Math.max(offSummary.p99, 0.001) },
      ],
    };
  },
};
