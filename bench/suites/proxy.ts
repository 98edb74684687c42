/**
 * The plain proxy path: the same upstream hit directly, through @fastify/http-proxy and through
 * labelgate (as shipped: metrics on; and with access lines on too), in interleaved rounds, so
 * a machine whose speed drifts hits every target alike; medians are reported. With taskset the
 * proxies run on core 0, the upstream and the load generator on core 1, so the proxy saturates.
 * Each proxy's CPU time per request is the steadier figure on a shared machine.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from '../lib/cpu.js';
import { singleUpstreamConfig, startGatewayProcess } from '../lib/gateway-target.js';
import { runLoad, type LoadResult } from '../lib/load.js';
import { startNode, type Started } from '../lib/processes.js';
import type { Benchmark, BenchResult } from '../lib/report.js';
import { median } from '../lib/median.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ECHO = path.join(HERE, '..', 'lib', 'echo-server.js');
const PEER = path.join(HERE, '..', 'servers', 'fastify-proxy.js');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PATH = '/api/rest_j/v1/jobhistory/list';

interface Target {
  readonly label: string;
  readonly url: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

interface Sample {
  readonly load: LoadResult;
  /** CPU µs per request of the proxy process (undefined for the upstream itself). */
  readonly cpuMicros: number | undefined;
}

async function gatewayTarget(label: string, upstreamUrl: string, access: boolean): Promise<Target> {
  // Access lines go to the child's stdout, which the benchmark reads and drops (as a log shipper would).
  const started = await startGatewayProcess(singleUpstreamConfig('linkis-ps-publicservice', upstreamUrl, '^/api/', access));
  return { label, url: started.gateway, pid: started.pid, stop: () => started.stop() };
}

const processTarget = (label: string, started: Started, pid: boolean): Target => ({
  label, url: started.url, pid: pid ? started.child.pid : undefined, stop: () => started.stop(),
});

async function sample(target: Target): Promise<Sample> {
  const before = cpuSeconds(target.pid);
  const load = await runLoad({ url: target.url + PATH, connections: 50, durationSeconds: SECONDS }, 1);
  const after = cpuSeconds(target.pid);
  const cpuMicros = before === undefined || after === undefined ? undefined : ((after - before) / Math.max(load.requests, 1)) * 1e6;
  return { load, cpuMicros };
}

function summary(samples: readonly Sample[]) {
  const cpu = samples.map((s) => s.cpuMicros).filter((v): v is number => v !== undefined);
  return {
    rps: median(samples.map((s) => s.load.rps)),
    p99: median(samples.map((s) => s.load.p99)),
    cpu: cpu.length > 0 ? median(cpu) : undefined,
    errors: samples.reduce((sum, s) => sum + s.load.errors + s.load.non2xx, 0),
  };
}

export default {
  name: 'proxy',
  description: `plain proxy path, ${ROUNDS} interleaved rounds of ${SECONDS}s per target, 50 connections`,
  async run(): Promise<BenchResult> {
    const upstream = await startNode(ECHO, ['upstream'], 1);
    const targets: Target[] = [processTarget('direct to upstream', upstream, false)];
    const samples = new Map<string, Sample[]>();
    try {
      targets.push(processTarget('@fastify/http-proxy', await startNode(PEER, [upstream.url], 0), true));
      targets.push(await gatewayTarget('labelgate', upstream.url, false));
      targets.push(await gatewayTarget('labelgate, access log on', upstream.url, true));
      for (const target of targets) await runLoad({ url: target.url + PATH, connections: 50, durationSeconds: 2 }, 1); // warm-up
      for (let round = 0; round < ROUNDS; round++) {
        for (const target of targets) {
          const list = samples.get(target.label) ?? [];
          list.push(await sample(target));
          samples.set(target.label, list);
        }
      }
    } finally {
      await Promise.all(targets.slice(1).map((target) => target.stop()));
      await upstream.stop();
    }
    const [direct, peer, labelgate, withAccess] = targets.map((target) => summary(samples.get(target.label)!));
    const rows = targets.map((target, i) => {
      const s = [direct, peer, labelgate, withAccess][i]!;
      return { label: target.label, values: { 'req/s': s.rps, 'p99 ms': s.p99, 'CPU µs/req': s.cpu === undefined ? '' : s.cpu, errors: s.errors } };
    });
    return {
      title: 'Plain proxy path: GET /api/rest_j/v1/jobhistory/list, small JSON answer (medians of interleaved rounds)',
      rows,
      notes: [`load generator: ${samples.get('labelgate')![0]!.load.tool}; labelgate as shipped (metrics on); "access log on" adds one JSON line per request on stdout`],
      ratios: [
        { label: 'labelgate req/s ÷ @fastify/http-proxy req/s', value: labelgate!.rps / peer!.rps, goal: '>= 1.5' },
        { label: 'labelgate capacity ÷ @fastify/http-proxy capacity (CPU per request, peer ÷ labelgate)', value: peer!.cpu! / labelgate!.cpu! },
        { label: 'labelgate (access log on) req/s ÷ @fastify/http-proxy req/s', value: withAccess!.rps / peer!.rps },
        { label: 'labelgate p99 ÷ @fastify/http-proxy p99', value: labelgate!.p99 / Math.max(peer!.p99, 0.001) },
        { label: 'labelgate req/s ÷ direct req/s', value: labelgate!.rps / direct!.rps },
      ],
    };
  },
} satisfies Benchmark;
