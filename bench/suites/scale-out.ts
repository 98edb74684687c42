/**
 * Several gateways on one etcd (issue "scale out"), two measurements in one run:
 *
 *   propagation  register through gateway A's Eureka API (metadata route=rN)
 *                  → first submit through gateway B with route=rN reaching the new instance;
 *                cancel through A → first submit through B with route=rN refused (11011).
 *                Goal: p99 ≤ 1 s (the watch makes it milliseconds).
 *   throughput   GET /api/rest_j/v1/jobhistory/list through one gateway whose instance was
 *                registered through Eureka, memory store vs etcd store; interleaved rounds,
 *                median, with the gateway's CPU µs per request (steadier than req/s on a shared
 *                machine). Goal: equal within noise (routing reads a snapshot in both).
 *
 *   load (core 1) ─► gateway (core 0) ─► upstream (core 1);  etcd: one member, unpinned
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEtcd } from '../../test/helpers/etcd.js';
import { jsonCall as call } from '../lib/json-call.js';
import { startEchoServer } from '../lib/echo-server.js';
import { cpuSeconds } from '../lib/cpu.js';
import { runLoad, type LoadResult } from '../lib/load.js';
import { startNode, type Started } from '../lib/processes.js';
import { percentile, type Benchmark, type BenchResult } from '../lib/report.js';
import { median } from '../lib/median.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const GATEWAY = path.join(HERE, '../lib/gateway-process.js');
const ENTRANCE = 'linkis-cg-entrance';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const LOAD_ROUNDS = 5;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const SECRET = randomBytes(32).toString('hex');

interface Urls {
  readonly gateway: string;
  readonly admin: string;
}

function config(dir: string, registry: string): string {
  return `server: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
reload: { watch: false }
log: { level: warn }
dataDir: ${dir}/data
labels: { file: ${dir}/labels.json }
registry: ${registry}
security: { passThrough: ["^/api/"], session: { secret: ${SECRET} } }
router: { use: label, options: { serverList: [${ENTRANCE}] } }
`;
}


function registration(app: string, id: string, port: number, route?: string) {
  return { instance: { app, instanceId: id, hostName: '127.0.0.1', ipAddr: '127.0.0.1', port, dataCenterInfo: { name: 'MyOwn' }, metadata: route === undefined ? {} : { route } } };
}

async function startGateway(dir: string, name: string, registry: string, core: number): Promise<Started & { urls: Urls }> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, config(dir, registry));
  const started = await startNode(GATEWAY, [file], core);
  return { ...started, urls: JSON.parse(started.url) as Urls };
}

/** Milliseconds from sending `change` until `routed` holds for a submit through `via`. */
async function timeUntil(change: () => Promise<unknown>, via: Urls, route: string, routed: (answer: { json: any }) => boolean): Promise<number> {
  const started = performance.now();
  await change();
  for (let polls = 0; polls < 100_000; polls++) {
    if (routed(await call(`${via.gateway}/api/rest_j/v1/entrance/submit`, 'POST', { labels: { route } }))) return performance.now() - started;
  }
  throw new Error(`route=${route} never reached the expected state`);
}

async function propagation(dir: string, registry: string): Promise<{ register: number[]; cancel: number[] }> {
  const [a, b] = await Promise.all([startGateway(dir, 'a', registry, 0), startGateway(dir, 'b', registry, 1)]);
  const fresh = await startEchoServer('fresh');
  const timings = { register: [] as number[], cancel: [] as number[] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const route = `r${round}`;
      timings.register.push(await timeUntil(() => call(`${a.urls.admin}/eureka/apps/${ENTRANCE}`, 'POST', registration(ENTRANCE, `fresh-${round}`, fresh.port, route)), b.urls, route, (answer) => answer.json?.upstream === 'fresh'));
      timings.cancel.push(await timeUntil(() => call(`${a.urls.admin}/eureka/apps/${ENTRANCE}/fresh-${round}`, 'DELETE'), b.urls, route, (answer) => answer.json?.data?.errCode === 11011 || answer.json?.data?.errCode === 10050));
    }
  } finally {
    await Promise.all([a.stop(), b.stop(), fresh.close()]);
  }
  return timings;
}

interface Measured extends LoadResult {
  /** Gateway CPU µs per request (steadier than req/s on a shared machine). */
  readonly cpuPerRequest: number;
}

/** Both gateways run side by side (idle while the other is measured); rounds alternate between them. */
async function throughput(dir: string, registries: Record<string, string>): Promise<Record<string, Measured[]>> {
  const upstream = await startNode(path.join(HERE, '../lib/echo-server.js'), ['publicservice'], 1);
  const gateways: Record<string, Started & { urls: Urls }> = {};
  const results: Record<string, Measured[]> = Object.fromEntries(Object.keys(registries).map((name) => [name, []]));
  try {
    for (const [name, registry] of Object.entries(registries)) {
      const gateway = await startGateway(dir, `load-${name}`, registry, 0);
      gateways[name] = gateway;
      await call(`${gateway.urls.admin}/eureka/apps/linkis-ps-publicservice`, 'POST', registration('linkis-ps-publicservice', `ps-${name}`, Number(new URL(upstream.url).port)));
      await runLoad({ url: `${gateway.urls.gateway}/api/rest_j/v1/jobhistory/list`, connections: 50, durationSeconds: 1 }, 1); // warm-up
    }
    for (let round = 0; round < LOAD_ROUNDS; round++) {
      for (const [name, gateway] of Object.entries(gateways)) {
        const before = cpuSeconds(gateway.child.pid);
        const result = await runLoad({ url: `${gateway.urls.gateway}/api/rest_j/v1/jobhistory/list`, connections: 50, durationSeconds: SECONDS }, 1);
        const after = cpuSeconds(gateway.child.pid);
        const cpu = before === undefined || after === undefined ? Number.NaN : ((after - before) * 1e6) / Math.max(1, result.requests);
        results[name]!.push({ ...result, cpuPerRequest: cpu });
      }
    }
  } finally {
    await Promise.all([...Object.values(gateways).map((gateway) => gateway.stop()), upstream.stop()]);
  }
  return results;
}

function medianOf(results: readonly Measured[], pick: (result: Measured) => number): number {
  return median(results.map(pick));
}

export const scaleOut: Benchmark = {
  name: 'scale-out',
  description: `two gateways on one etcd: register on A → routable on B (${ROUNDS} rounds); req/s etcd vs memory store (${LOAD_ROUNDS} × ${SECONDS} s)`,
  async run(): Promise<BenchResult> {
    const dir = await mkdtemp(path.join(tmpdir(), 'labelgate-bench-scale-'));
    const cleanups: (() => unknown)[] = [];
    try {
      const etcd = await startEtcd({ teardown: (fn) => cleanups.push(fn) });
      const etcdRegistry = `{ store: etcd, etcd: { endpoints: ${JSON.stringify(etcd.endpoints)}, prefix: /bench/ } }`;
      const timings = await propagation(dir, etcdRegistry);
      const load = await throughput(dir, { memory: '{ store: memory }', etcd: etcdRegistry });
      const sorted = (values: number[]) => [...values].sort((x, y) => x - y);
      const latencyRow = (label: string, values: number[]) => ({ label, values: { p50_ms: percentile(sorted(values), 50), p99_ms: percentile(sorted(values), 99), max_ms: Math.max(...values) } });
      const loadRow = (label: string, results: Measured[]) => ({
        label,
        values: { 'req/s': medianOf(results, (r) => r.rps), 'p99 ms': medianOf(results, (r) => r.p99), 'gateway CPU µs/req': medianOf(results, (r) => r.cpuPerRequest), errors: results.reduce((sum, r) => sum + r.errors + r.non2xx, 0) },
      });
      const registerP99 = percentile(sorted(timings.register), 99);
      return {
        title: 'Two gateways sharing one etcd',
        rows: [
          latencyRow('register on A → routed by B', timings.register),
          latencyRow('cancel on A → unrouted by B', timings.cancel),
          loadRow('proxied GET, memory store', load.memory!),
          loadRow('proxied GET, etcd store', load.etcd!),
        ],
        ratios: [
          { label: 'register on A → routed by B, p99 / 1 s goal', value: registerP99 / 1000, goal: '<= 1' },
          { label: 'cancel on A → unrouted by B, p99 / 1 s goal', value: percentile(sorted(timings.cancel), 99) / 1000, goal: '<= 1' },
          { label: 'etcd store req/s ÷ memory store req/s', value: medianOf(load.etcd!, (r) => r.rps) / medianOf(load.memory!, (r) => r.rps), goal: '>= 0.9' },
          { label: 'memory store CPU/req ÷ etcd store CPU/req', value: medianOf(load.memory!, (r) => r.cpuPerRequest) / medianOf(load.etcd!, (r) => r.cpuPerRequest), goal: '>= 0.9' },
        ],
        notes: [
          'times include the Eureka call itself and every submit polled until one is routed accordingly',
          ...Object.entries(load).map(([name, runs]) => `${name} store per round (the spread is the noise): ${runs.map((run) => `${Math.round(run.rps)} req/s ${Math.round(run.cpuPerRequest)} µs`).join(', ')}`),
        ],
      };
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
