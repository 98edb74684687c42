/**
 * The plain proxy path: the same upstream hit directly, through @fastify/http-proxy and through
 * labelgate, one after the other in one run. With taskset, the proxy under test runs on core 0
 * and the upstream and the load generator on core 1, so the proxy is what saturates.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad, type LoadResult } from '../lib/load.js';
import { startNode } from '../lib/processes.js';
import type { Benchmark, BenchResult } from '../lib/report.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ECHO = path.join(HERE, '..', 'lib', 'echo-server.js');
const GATEWAY = path.join(HERE, '..', 'lib', 'gateway-process.js');
const PEER = path.join(HERE, '..', 'servers', 'fastify-proxy.js');
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const PATH = '/api/rest_j/v1/jobhistory/list';

async function measure(url: string): Promise<LoadResult> {
  await runLoad({ url, connections: 50, durationSeconds: 2 }, 1); // warm-up
  return runLoad({ url: url + PATH, connections: 50, durationSeconds: DURATION }, 1);
}

const row = (label: string, result: LoadResult) => ({
  label, values: { 'req/s': result.rps, 'p50 ms': result.p50, 'p99 ms': result.p99, errors: result.errors + result.non2xx },
});

/** A gateway config routing /api/rest_j/v1/… to the one upstream, with no login needed. */
export function proxyConfig(upstreamUrl: string, extraYaml = ''): string {
  return `server: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
labels: { file: ./labels.json }
dataDir: ./data
registry:
  static:
    - { app: linkis-ps-publicservice, instances: ["${new URL(upstreamUrl).host}"] }
security: { passThrough: ["^/api/"] }
log: { level: warn }
${extraYaml}`;
}

/** Starts labelgate on `yaml`, pinned to `core`; its public URL and a stop function. */
export async function startGatewayProcess(yaml: string, core?: number): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'labelgate-bench-'));
  await writeFile(path.join(dir, 'gateway.yaml'), yaml);
  const started = await startNode(GATEWAY, [path.join(dir, 'gateway.yaml')], core);
  return {
    url: (JSON.parse(started.url) as { gateway: string }).gateway,
    stop: async () => {
      await started.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function proxyComparison(extraYaml = ''): Promise<{ direct: LoadResult; peer: LoadResult; labelgate: LoadResult }> {
  const upstream = await startNode(ECHO, ['upstream'], 1);
  try {
    const direct = await measure(upstream.url);
    const peerServer = await startNode(PEER, [upstream.url], 0);
    const peer = await measure(peerServer.url).finally(() => peerServer.stop());
    const gateway = await startGatewayProcess(proxyConfig(upstream.url, extraYaml), 0);
    const labelgate = await measure(gateway.url).finally(() => gateway.stop());
    return { direct, peer, labelgate };
  } finally {
    await upstream.stop();
  }
}

export default {
  name: 'proxy',
  description: `plain proxy path, ${DURATION}s per target, 50 connections`,
  async run(): Promise<BenchResult> {
    const { direct, peer, labelgate } = await proxyComparison();
    return {
      title: 'Plain proxy path: GET /api/rest_j/v1/jobhistory/list, small JSON answer',
      rows: [row('direct to upstream', direct), row('@fastify/http-proxy', peer), row('labelgate', labelgate)],
      notes: [`load generator: ${labelgate.tool}${labelgate.tool === 'autocannon' ? ' (install Debian wrk for a generator that leaves the upstream core free)' : ''}`],
      ratios: [
        { label: 'labelgate req/s ÷ @fastify/http-proxy req/s', value: labelgate.rps / peer.rps, goal: '>= 1.5' },
        { label: 'labelgate p99 ÷ @fastify/http-proxy p99', value: labelgate.p99 / Math.max(peer.p99, 1) },
        { label: 'labelgate req/s ÷ direct req/s', value: labelgate.rps / direct.rps },
      ],
    };
  },
} satisfies Benchmark;
