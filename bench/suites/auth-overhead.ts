/**
 * What authentication costs: req/s through one gateway for the same route with no auth
 * (pass-through), with a Linkis token, and with a session cookie, measured in one run.
 * Variants are interleaved over several rounds and the median kept, so drift on a shared machine
 * hits all three alike. Goal: each auth variant keeps at least 90 % of the no-auth throughput.
 * The gateway's CPU time per request is reported too: on a busy machine it is the steadier
 * figure, and a CPU-bound gateway's throughput ratio is the inverse of its CPU ratio.
 *
 *   autocannon (core 1) ─► gateway (core 0) ─► upstream (core 1, answers at once)
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { hashPassword } from '../../core/password-hash.js';
import { cpuSeconds } from '../lib/cpu.js';
import { runLoad, type LoadResult } from '../lib/load.js';
import { startNode } from '../lib/processes.js';
import type { Benchmark, BenchResult } from '../lib/report.js';
import { median } from '../lib/median.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROUNDS = 3;
const SECONDS = 5;
const CONNECTIONS = 50;
const TOKEN = `bench-${randomBytes(16).toString('hex')}`;

function config(upstream: string, dataDir: string, passwordHash: string): string {
  return `server: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
reload: { watch: false }
log: { level: warn }
dataDir: ${dataDir}
labels: { file: ${dataDir}/labels.json }
registry: { static: [ { app: linkis-ps-publicservice, instances: ["${new URL(upstream).host}"] } ] }
parsers:
  - use: rules
    options: { rules: [ { name: jobhistory, match: "^/api/rest_j/v1/jobhistory/.+$", application: linkis-ps-publicservice } ] }
security:
  passThrough: ["^/api/rest_j/v1/jobhistory/open$"]
  session: { secret: ${randomBytes(32).toString('hex')} }
  auth:
    - use: session
    - use: token
      options: { tokens: [ { code: ${TOKEN}, users: ["*"], hosts: [127.0.0.1] } ] }
    - use: password
      options: { users: [ { name: bench, passwordHash: "${passwordHash}" } ] }
`;
}

interface Measured extends LoadResult {
  /** Gateway CPU µs per request, when /proc tells. */
  readonly cpuPerRequest: number;
}

function medianOf(results: readonly Measured[], pick: (result: Measured) => number): number {
  return median(results.map(pick));
}

export const authOverhead: Benchmark = {
  name: 'auth-overhead',
  description: `no auth vs token vs session cookie, ${ROUNDS} interleaved rounds of ${SECONDS} s, ${CONNECTIONS} connections`,
  async run(): Promise<BenchResult> {
    const dir = await mkdtemp(path.join(tmpdir(), 'labelgate-bench-auth-'));
    const upstream = await startNode(path.join(HERE, '../lib/echo-server.js'), ['upstream'], 1);
    let gateway: Awaited<ReturnType<typeof startNode>> | undefined;
    try {
      const password = randomBytes(12).toString('hex');
      const file = path.join(dir, 'gateway.yaml');
      await writeFile(file, config(upstream.url, path.join(dir, 'data'), await hashPassword(password)));
      const started = await startNode(path.join(HERE, '../lib/gateway-process.js'), [file], 0);
      gateway = { ...started, url: (JSON.parse(started.url) as { gateway: string }).gateway };
      const login = await request(`${gateway.url}/api/rest_j/v1/user/login`, { method: 'POST', body: JSON.stringify({ userName: 'bench', password }) });
      await login.body.text();
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      const variants = {
        'no auth': { url: `${gateway.url}/api/rest_j/v1/jobhistory/open` },
        token: { url: `${gateway.url}/api/rest_j/v1/jobhistory/list`, headers: { 'token-code': TOKEN, 'token-user': 'bench' } },
        session: { url: `${gateway.url}/api/rest_j/v1/jobhistory/list`, headers: { cookie } },
      } as const;
      const results: Record<string, Measured[]> = { 'no auth': [], token: [], session: [] };
      const pid = gateway.child.pid;
      const measure = async (variant: (typeof variants)[keyof typeof variants]): Promise<Measured> => {
        const before = cpuSeconds(pid);
        const result = await runLoad({ ...variant, connections: CONNECTIONS, durationSeconds: SECONDS }, 1);
        const after = cpuSeconds(pid);
        const cpu = before === undefined || after === undefined ? Number.NaN : ((after - before) * 1e6) / Math.max(1, result.requests);
        return { ...result, cpuPerRequest: cpu };
      };
      for (const variant of Object.values(variants)) await runLoad({ ...variant, connections: CONNECTIONS, durationSeconds: 1 }, 1); // warm-up
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, variant] of Object.entries(variants)) {
          results[name]!.push(await measure(variant));
        }
      }
      const rps = (name: string) => medianOf(results[name]!, (result) => result.rps);
      const cpu = (name: string) => medianOf(results[name]!, (result) => result.cpuPerRequest);
      const failures = Object.values(results).flat().reduce((sum, result) => sum + result.errors + result.non2xx, 0);
      return {
        title: 'Authentication overhead (one gateway, same route and upstream)',
        rows: Object.keys(variants).map((name) => ({
          label: name,
          values: { 'req/s': rps(name), 'p50 ms': medianOf(results[name]!, (r) => r.p50), 'p99 ms': medianOf(results[name]!, (r) => r.p99), 'gateway CPU µs/req': cpu(name) },
        })),
        ratios: [
          { label: 'token req/s ÷ no-auth req/s', value: rps('token') / rps('no auth'), goal: '>= 0.9' },
          { label: 'session req/s ÷ no-auth req/s', value: rps('session') / rps('no auth'), goal: '>= 0.9' },
          { label: 'no-auth CPU/req ÷ token CPU/req', value: cpu('no auth') / cpu('token'), goal: '>= 0.9' },
          { label: 'no-auth CPU/req ÷ session CPU/req', value: cpu('no auth') / cpu('session'), goal: '>= 0.9' },
        ],
        notes: [
          `median of ${ROUNDS} rounds; ${failures} errors or non-2xx answers in all runs`,
          ...Object.entries(results).map(([name, runs]) => `${name} per round: ${runs.map((run) => `${Math.round(run.rps)} req/s ${Math.round(run.cpuPerRequest)} µs`).join(', ')}`),
        ],
      };
    } finally {
      await gateway?.stop();
      await upstream.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
