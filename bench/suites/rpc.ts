/**
 * RPC round trips: `ask` between two local processes (the receiver pinned to core 0) against a
 * plain undici request/response carrying the same JSON to a plain node:http server in the same
 * receiving process. Both run `CONCURRENCY` requests in flight over keep-alive connections, in
 * alternating rounds so that drift on a shared machine hits both alike. Goal: ask ≥ 0.8× plain.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { RpcNode, StaticDiscovery } from '../../core/rpc/index.js';
import { cpuSeconds } from '../lib/cpu.js';
import { startNode } from '../lib/processes.js';
import type { Benchmark, BenchResult } from '../lib/report.js';
import { PAYLOAD, benchMessages } from '../lib/rpc-messages.js';
import { median } from '../lib/median.js';

const RECEIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'servers', 'rpc-receiver.js');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = 6;
const CONCURRENCY = 16;

interface Round {
  readonly rps: number;
  /** CPU per round trip (µs) of the receiving process and of this (sending) process. */
  readonly receiverUs: number;
  readonly senderUs: number;
}

/** Runs `once` with CONCURRENCY loops for `ms`. */
async function measure(once: () => Promise<unknown>, ms: number, receiverPid: number | undefined): Promise<Round> {
  let count = 0;
  const end = performance.now() + ms;
  const loop = async () => {
    while (performance.now() < end) {
      await once();
      count++;
    }
  };
  const started = performance.now();
  const receiverBefore = cpuSeconds(receiverPid) ?? 0;
  const senderBefore = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  const sender = process.cpuUsage(senderBefore);
  const receiverSeconds = (cpuSeconds(receiverPid) ?? 0) - receiverBefore;
  return {
    rps: count / ((performance.now() - started) / 1000),
    receiverUs: (receiverSeconds * 1e6) / count,
    senderUs: (sender.user + sender.system) / count,
  };
}

export const rpcRoundTrips: Benchmark = {
  name: 'rpc',
  description: `ask round trips vs plain undici request/response, ${ROUNDS} alternating rounds of ${(SECONDS / ROUNDS).toFixed(1)} s each`,
  async run(): Promise<BenchResult> {
    const receiver = await startNode(RECEIVER, [], 0);
    const { rpc, plain } = JSON.parse(receiver.url) as { rpc: string; plain: string };
    const { messages, Echo } = benchMessages();
    const node = new RpcNode({ application: 'bench-sender', messages, discovery: new StaticDiscovery() });
    const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
    const body = JSON.stringify(PAYLOAD);
    const sender = node.sender(rpc);
    const ask = () => sender.ask(Echo(PAYLOAD), { expect: Echo });
    const post = async () => {
      const response = await agent.request({ origin: plain, path: '/', method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return JSON.parse(await response.body.text()) as unknown;
    };
    const rounds = { ask: [] as Round[], plain: [] as Round[] };
    const pid = receiver.child.pid;
    try {
      await measure(ask, 1000, pid); // warm-up: JIT, connections
      await measure(post, 1000, pid);
      for (let round = 0; round < ROUNDS; round++) {
        rounds.plain.push(await measure(post, (SECONDS * 1000) / ROUNDS / 2, pid));
        rounds.ask.push(await measure(ask, (SECONDS * 1000) / ROUNDS / 2, pid));
      }
    } finally {
      await Promise.all([node.close(), agent.close(), receiver.stop()]);
    }
    const of = (kind: keyof typeof rounds, field: keyof Round) => median(rounds[kind].map((r) => r[field]));
    const row = (label: string, kind: keyof typeof rounds) => ({
      label,
      values: { 'round trips/s': of(kind, 'rps'), 'best round trips/s': Math.max(...rounds[kind].map((r) => r.rps)), 'receiver µs/trip': of(kind, 'receiverUs'), 'sender µs/trip': of(kind, 'senderUs') },
    });
    return {
      title: `RPC ask vs plain undici POST, same ${body.length}-byte JSON payload, ${CONCURRENCY} in flight (medians of ${ROUNDS} rounds)`,
      rows: [row('plain undici request/response', 'plain'), row('labelgate/rpc ask', 'ask')],
      ratios: [
        { label: 'ask round trips/s ÷ plain round trips/s', value: of('ask', 'rps') / of('plain', 'rps'), goal: '>= 0.8' },
        { label: 'plain CPU per trip ÷ ask CPU per trip (both processes; the steadier figure on a busy machine)', value: (of('plain', 'receiverUs') + of('plain', 'senderUs')) / (of('ask', 'receiverUs') + of('ask', 'senderUs')) },
      ],
      notes: ['ask adds the envelope, the value as JSON text inside it, schema checks on both sides, the interceptor chain and Fastify routing'],
    };
  },
};
