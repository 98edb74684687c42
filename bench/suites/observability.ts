/**
 * The price of observability: the plain proxy path through two labelgate processes, one with
 * Prometheus metrics and access logs on (`metrics.enabled`, `log.access`; access lines go to
 * its stdout, a pipe) and one with both off. Goal: at most 5 % fewer req/s.
 *
 * On a shared machine, rates swing by more than the effect measured from one second to the
 * next, so the two are measured side by side rather than one after the other: both pinned to
 * core 0 (upstream and load generators on core 1), loaded at the same time, so whatever else
 * runs hits both alike and the scheduler shares core 0 between them. Per window it records
 * req/s and each gateway's CPU time per request (from /proc), whose inverse is its capacity;
 * medians over the windows are compared.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad, type LoadResult } from '../lib/load.js';
import { startNode } from '../lib/processes.js';
import type { Benchmark, BenchResult } from '../lib/report.js';
import { cpuSeconds } from '../lib/cpu.js';
import { median } from '../lib/median.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const GATEWAY = path.join(HERE, '..', 'lib', 'gateway-process.js');
const UPSTREAM = path.join(HERE, '..', 'lib', 'echo-server.js');
const WINDOW_SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const PATH = '/api/rest_j/v1/jobhistory/list';

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

interface Window {
  readonly load: LoadResult;
  /** Gateway CPU per request served, in microseconds. */
  readonly cpuMicros: number;
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

interface Gateway {
  readonly side: Side;
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

async function startGateway(dir: string, upstreamHost: string, side: Side): Promise<Gateway> {
  const file = path.join(dir, `${side}.yaml`);
  await writeFile(file, config(upstreamHost, side));
  const started = await startNode(GATEWAY, [file], 0);
  return { side, url: (JSON.parse(started.url) as { gateway: string }).gateway, pid: started.child.pid!, stop: () => started.stop() };
}

/** Loads both gateways at once for `seconds`: whatever else runs on the machine hits both alike. */
async function window(gateways: readonly Gateway[], seconds: number): Promise<Record<Side, Window>> {
  const before = gateways.map((gateway) => cpuSeconds(gateway.pid) ?? NaN);
  const loads = await Promise.all(gateways.map((gateway) => runLoad({ url: gateway.url + PATH, connections: 50, durationSeconds: seconds }, 1)));
  const result = {} as Record<Side, Window>;
  gateways.forEach((gateway, i) => {
    const cpu = (cpuSeconds(gateway.pid) ?? NaN) - before[i]!;
    result[gateway.side] = { load: loads[i]!, cpuMicros: (cpu / Math.max(loads[i]!.requests, 1)) * 1e6 };
  });
  return result;
}

export const observability: Benchmark = {
  name: 'observability',
  description: `metrics and access logs on vs off, two gateways loaded at once, ${ROUNDS} windows of ${WINDOW_SECONDS}s, 50 connections each`,
  async run(): Promise<BenchResult> {
    const dir = await mkdtemp(path.join(tmpdir(), 'labelgate-bench-observability-'));
    const upstream = await startNode(UPSTREAM, ['upstream'], 1);
    const upstreamHost = new URL(upstream.url).host;
    const gateways: Gateway[] = [];
    const windows: Record<Side, Window[]> = { off: [], on: [] };
    try {
      gateways.push(await startGateway(dir, upstreamHost, 'off'), await startGateway(dir, upstreamHost, 'on'));
      await window(gateways, 3); // warm-up
      for (let round = 0; round < ROUNDS; round++) {
        const result = await window(gateways, WINDOW_SECONDS);
        windows.off.push(result.off);
        windows.on.push(result.on);
      }
    } finally {
      await Promise.all(gateways.map((gateway) => gateway.stop()));
      await upstream.stop();
      await rm(dir, { recursive: true, force: true });
    }
    const [off, on] = [summary(windows.off), summary(windows.on)];
    return {
      title: `Observability cost: GET ${PATH}, labelgate with metrics and access logs off and on, loaded side by side (medians)`,
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
