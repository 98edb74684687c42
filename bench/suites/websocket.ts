/**
 * WebSocket multiplexing: JSON frames straight to a WebSocket entrance instance, through
 * @fastify/http-proxy's 1:1 relay (`websocket: true`) and through labelgate (every frame parsed
 * and routed), in interleaved rounds; medians are reported, with each proxy's CPU time per
 * message as the steadier figure. With taskset the proxies run on core 0, the instance and the
 * load generator (its own process) on core 1. Then memory per idle client connection: a fresh
 * proxy process, its RSS before and after a crowd of clients that complete the handshake and
 * send nothing (labelgate dials instances only for frames, so an idle client has no upstream
 * socket; the 1:1 relay opens one per client).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, rssBytes } from '../lib/cpu.js';
import { singleUpstreamConfig, startGatewayProcess } from '../lib/gateway-target.js';
import { runJsonChild, startNode, type Started } from '../lib/processes.js';
import type { Benchmark, BenchResult, BenchRow } from '../lib/report.js';
import type { IdleClientsOptions } from '../lib/ws-idle-clients.js';
import type { WsLoadOptions, WsLoadResult } from '../lib/ws-load.js';
import { median } from '../lib/median.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ECHO = path.join(HERE, '..', 'servers', 'ws-echo.js');
const PEER = path.join(HERE, '..', 'servers', 'fastify-proxy.js');
const LOAD = path.join(HERE, '..', 'lib', 'ws-load.js');
const IDLE = path.join(HERE, '..', 'lib', 'ws-idle-clients.js');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = 50;
const WINDOW = 16;
const IDLE_CLIENTS = 10_000;
/** The relay holds two sockets per client; 10,000 clients would need more descriptors than the usual limit of 20,000. */
const PEER_IDLE_CLIENTS = 5_000;
const CONNECT = '/ws/api/entrance/connect';
/** A Linkis IDE job submission as the console sends it over its WebSocket. */
const FRAME = {
  method: '/api/rest_j/v1/entrance/execute',
  data: {
    executionContent: { code: 'show tables', runType: 'sql' }, params: { variable: {}, configuration: {} },
    source: { scriptPath: 'bench.sql' }, executeApplicationName: 'hive', labels: { engineType: 'hive-2.3.3', userCreator: 'alice-IDE' },
  },
};

interface Target {
  readonly label: string;
  /** ws:// URL of the entrance's connect path through this target. */
  readonly url: string;
  /** The proxy process whose CPU and memory are measured (none for the instance itself). */
  readonly pid: number | undefined;
  /** labelgate's admin listener, for /metrics. */
  readonly admin?: string;
  stop(): Promise<void>;
}

const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, 'ws') + CONNECT;

async function startLabelgate(upstreamUrl: string): Promise<Target> {
  // Frames are judged by their own method, not the handshake path: the entrance's methods are
  // pass-through too, so the figure is the multiplexer's, not an auth strategy's.
  const started = await startGatewayProcess(singleUpstreamConfig('linkis-cg-entrance', upstreamUrl, '^/(?:ws/|api/rest_j/v1/entrance/)'));
  return { label: 'labelgate (multiplexed)', url: wsUrl(started.gateway), pid: started.pid, admin: started.admin, stop: () => started.stop() };
}

async function startRelay(upstreamUrl: string): Promise<Target> {
  const started = await startNode(PEER, [upstreamUrl, 'ws'], 0);
  return { label: '@fastify/http-proxy (1:1 relay)', url: wsUrl(started.url), pid: started.child.pid, stop: () => started.stop() };
}

interface Sample {
  readonly load: WsLoadResult;
  /** CPU µs per message of the proxy process. */
  readonly cpuMicros: number | undefined;
}

async function sample(target: Target, seconds: number): Promise<Sample> {
  const options: WsLoadOptions = { url: target.url, connections: CONNECTIONS, window: WINDOW, seconds, ...FRAME };
  const before = cpuSeconds(target.pid);
  const load = await runJsonChild<WsLoadResult>(LOAD, options, 1);
  const after = cpuSeconds(target.pid);
  const cpuMicros = before === undefined || after === undefined ? undefined : ((after - before) / Math.max(load.total, 1)) * 1e6;
  return { load, cpuMicros };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function summary(samples: readonly Sample[]) {
  const cpu = samples.map((s) => s.cpuMicros).filter((v): v is number => v !== undefined);
  return {
    rate: median(samples.map((s) => s.load.rate)),
    p99: median(samples.map((s) => s.load.p99)),
    cpu: cpu.length > 0 ? median(cpu) : undefined,
    /** Share of its core the proxy kept busy (CPU per message × messages/s). */
    busy: cpu.length > 0 ? median(samples.map((s) => ((s.cpuMicros ?? 0) * s.load.rate) / 1e4)) : undefined,
    errors: samples.reduce((sum, s) => sum + s.load.errors, 0),
  };
}

/** `count` idle clients of `url` in a child process (core 1), open once this resolves. */
async function idleClients(url: string, count: number): Promise<{ open: number; failed: number; stop(): Promise<void> }> {
  const options: IdleClientsOptions = { url, count, addresses: ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'], concurrency: 100 };
  const started: Started = await startNode(IDLE, [JSON.stringify(options)], 1);
  return { ...(JSON.parse(started.url) as { open: number; failed: number }), stop: () => started.stop() };
}

/** The median of a few RSS readings, once the process has had a moment to settle. */
async function settledRss(pid: number | undefined): Promise<number> {
  await sleep(1500);
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(rssBytes(pid) ?? NaN);
    await sleep(200);
  }
  return median(readings);
}

/** Gauges from labelgate's /metrics (heap used, client WebSocket connections open now). */
async function gauges(admin: string | undefined): Promise<{ heap: number; connections: number } | undefined> {
  if (!admin) return undefined;
  try {
    const text = await (await fetch(`${admin}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
    return { heap: gauge('nodejs_heap_size_used_bytes'), connections: gauge('labelgate_websocket_connections') };
  } catch {
    return undefined;
  }
}

interface IdleMemory {
  readonly clients: number;
  readonly open: number;
  readonly rssKiB: number;
  readonly heapKiB: number | undefined;
  /** What the gateway counted as open while they were (labelgate only). */
  readonly counted: number | undefined;
}

/** RSS (and heap) per idle client connection of a fresh proxy, after a small warm-up crowd. */
async function idleMemory(target: Target, count: number): Promise<IdleMemory> {
  await (await idleClients(target.url, 500)).stop();
  const rssBefore = await settledRss(target.pid);
  const heapBefore = (await gauges(target.admin))?.heap;
  const crowd = await idleClients(target.url, count);
  try {
    const rssAfter = await settledRss(target.pid);
    const after = await gauges(target.admin);
    const perClient = (before: number, now: number) => (now - before) / Math.max(crowd.open, 1) / 1024;
    return {
      clients: count, open: crowd.open, rssKiB: perClient(rssBefore, rssAfter),
      heapKiB: heapBefore === undefined || after === undefined ? undefined : perClient(heapBefore, after.heap),
      counted: after?.connections,
    };
  } finally {
    await crowd.stop();
  }
}

export const websocket: Benchmark = {
  name: 'websocket',
  description: `WebSocket messages/s direct, via a 1:1 relay and multiplexed by labelgate, ${ROUNDS} interleaved rounds of ${SECONDS}s, `
    + `${CONNECTIONS} connections × ${WINDOW} in flight; then memory per idle client connection (${IDLE_CLIENTS} clients)`,
  async run(): Promise<BenchResult> {
    const upstream = await startNode(ECHO, [], 1);
    const direct: Target = { label: 'direct to the instance', url: wsUrl(upstream.url), pid: undefined, stop: async () => {} };
    const targets: Target[] = [direct];
    const samples = new Map<Target, Sample[]>(targets.map((target) => [target, []]));
    let gatewayIdle: IdleMemory;
    let relayIdle: IdleMemory;
    try {
      targets.push(await startRelay(upstream.url), await startLabelgate(upstream.url));
      for (const target of targets) {
        samples.set(target, []);
        await sample(target, 1.5); // warm-up: JIT, connections
      }
      for (let round = 0; round < ROUNDS; round++) {
        // Each round starts one target later, so no target always follows the same one.
        for (let i = 0; i < targets.length; i++) {
          const target = targets[(round + i) % targets.length]!;
          samples.get(target)!.push(await sample(target, SECONDS));
        }
      }
      await Promise.all(targets.map((target) => target.stop()));
      targets.splice(1);
      const gateway = await startLabelgate(upstream.url);
      targets.push(gateway);
      gatewayIdle = await idleMemory(gateway, IDLE_CLIENTS);
      await gateway.stop();
      const relay = await startRelay(upstream.url);
      targets.push(relay);
      relayIdle = await idleMemory(relay, PEER_IDLE_CLIENTS);
    } finally {
      await Promise.all(targets.map((target) => target.stop()));
      await upstream.stop();
    }
    const measured = [...samples.entries()].map(([target, list]) => ({ label: target.label, ...summary(list) }));
    const [plain, relay, labelgate] = [measured[0]!, measured[1]!, measured[2]!];
    const rows: BenchRow[] = measured.map((s) => ({
      label: s.label, values: { 'msgs/s': s.rate, 'p99 ms': s.p99, 'CPU µs/msg': s.cpu ?? '', 'proxy core %': s.busy ?? '', errors: s.errors },
    }));
    const idleRow = (label: string, idle: IdleMemory) => ({
      label: `${label}, ${idle.open} idle clients`, values: { 'RSS KiB/client': idle.rssKiB, 'heap KiB/client': idle.heapKiB ?? '' },
    });
    rows.push(idleRow('labelgate', gatewayIdle), idleRow('@fastify/http-proxy', relayIdle));
    const notes = [
      `frames: a ${JSON.stringify({ id: 1, ...FRAME }).length}-byte entrance/execute submission; answers: the instance's envelope with the frame's id`,
      'CPU µs/msg: the proxy process, over all messages of a round. The instance and the load generator share core 1: a proxy whose core is not busy was held back by that core (and the direct path always is), so its msgs/s ratio is about keeping up, and CPU per message is the capacity figure',
      `idle clients: handshake done, no frame sent; RSS is the median of 5 readings, after 500 clients opened and dropped as warm-up; the relay with ${PEER_IDLE_CLIENTS} (it holds an upstream socket per client)`,
    ];
    if (gatewayIdle!.open !== IDLE_CLIENTS || gatewayIdle!.counted !== gatewayIdle!.open) {
      notes.push(`labelgate idle clients: ${gatewayIdle!.open} of ${IDLE_CLIENTS} opened, the gateway counted ${gatewayIdle!.counted}`);
    }
    if (relayIdle!.open !== PEER_IDLE_CLIENTS) notes.push(`relay idle clients: ${relayIdle!.open} of ${PEER_IDLE_CLIENTS} opened`);
    return {
      title: `WebSocket multiplexing: ${CONNECTIONS} client connections × ${WINDOW} frames in flight (medians of interleaved rounds); memory per idle client`,
      rows,
      notes,
      ratios: [
        { label: 'labelgate msgs/s ÷ 1:1 relay msgs/s', value: labelgate.rate / relay.rate, goal: '>= 0.8' },
        { label: 'labelgate capacity ÷ 1:1 relay capacity (CPU per message, relay ÷ labelgate)', value: relay.cpu! / labelgate.cpu!, goal: '>= 0.8' },
        { label: 'labelgate p99 ÷ 1:1 relay p99', value: labelgate.p99 / Math.max(relay.p99, 0.001) },
        { label: 'labelgate msgs/s ÷ direct msgs/s', value: labelgate.rate / plain.rate },
        { label: `labelgate RSS KiB per idle client connection (${gatewayIdle!.open} open)`, value: gatewayIdle!.rssKiB, goal: '<= 30' },
      ],
    };
  },
};
