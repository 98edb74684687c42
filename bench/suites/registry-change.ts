/**
 * Registry change → first request routed accordingly. The gateway runs in its own process
 * (pinned to core 0); this process makes a change and then submits jobs carrying the changed
 * route label until one lands where the change says, timing from sending the change:
 *
 *   register  POST /eureka/apps/APP (metadata route=rN)      → first submit with route=rN reaching it
 *   cancel    DELETE /eureka/apps/APP/ID                     → first submit with route=rN refused (11011)
 *   label     PUT /admin/labels/APP/host:port {"route": lN}  → first submit with route=lN reaching it
 *
 * The peer in the same run is a plain submit with no change before it. Goal: p99 ≤ 100 ms.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonCall as call } from '../lib/json-call.js';
import { startEchoServer } from '../lib/echo-server.js';
import { startNode } from '../lib/processes.js';
import { percentile, type Benchmark, type BenchResult } from '../lib/report.js';

const GATEWAY = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'gateway-process.js');
const APP = 'linkis-cg-entrance';
const ROUNDS = 200;
const CONFIG = `server: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
labels: { file: ./labels.json }
security: { passThrough: ["^/api/rest_j/v1/entrance/"] }
router: { use: label, options: { serverList: [${APP}] } }
log: { level: warn }
`;

function summary(samples: number[], polls: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50_ms: percentile(sorted, 50), p99_ms: percentile(sorted, 99), max_ms: sorted.at(-1)!, requests_per_change: polls.reduce((a, b) => a + b, 0) / polls.length };
}

export const registryChange: Benchmark = {
  name: 'registry-change',
  description: 'registry change → first request routed accordingly (p99)',
  async run(): Promise<BenchResult> {
    const dir = await mkdtemp(path.join(tmpdir(), 'labelgate-bench-'));
    await writeFile(path.join(dir, 'gateway.yaml'), CONFIG);
    const started = await startNode(GATEWAY, [path.join(dir, 'gateway.yaml')], 0);
    const urls = JSON.parse(started.url) as { gateway: string; admin: string };
    const [base, fresh] = await Promise.all([startEchoServer('base'), startEchoServer('fresh')]);
    const submit = (route?: string) => call(`${urls.gateway}/api/rest_j/v1/entrance/submit`, 'POST', route === undefined ? {} : { labels: { route } });
    const registration = (id: string, port: number, route: string) => ({ instance: {
      app: APP, instanceId: id, hostName: '127.0.0.1', ipAddr: '127.0.0.1', port, dataCenterInfo: { name: 'MyOwn' }, metadata: { route },
    } });
    /** Submits until `done` holds; the number of submits it took. */
    const until = async (route: string, done: (answer: { json: any }) => boolean) => {
      for (let polls = 1; polls < 10_000; polls++) if (done(await submit(route))) return polls;
      throw new Error(`route=${route} never reached the expected state`);
    };
    const timings = { register: [] as number[], cancel: [] as number[], label: [] as number[], plain: [] as number[] };
    const polls = { register: [] as number[], cancel: [] as number[], label: [] as number[], plain: [] as number[] };
    try {
      await call(`${urls.admin}/eureka/apps/${APP}`, 'POST', registration('base', base.port, 'base'));
      for (let round = 0; round < ROUNDS; round++) {
        let t0 = performance.now();
        await call(`${urls.admin}/eureka/apps/${APP}`, 'POST', registration(`fresh-${round}`, fresh.port, `r${round}`));
        polls.register.push(await until(`r${round}`, (answer) => answer.json?.upstream === 'fresh'));
        timings.register.push(performance.now() - t0);

        t0 = performance.now();
        await call(`${urls.admin}/eureka/apps/${APP}/fresh-${round}`, 'DELETE');
        polls.cancel.push(await until(`r${round}`, (answer) => answer.json?.data?.errCode === 11011));
        timings.cancel.push(performance.now() - t0);

        t0 = performance.now();
        await call(`${urls.admin}/admin/labels/${APP}/127.0.0.1:${base.port}`, 'PUT', { route: `l${round}` });
        polls.label.push(await until(`l${round}`, (answer) => answer.json?.upstream === 'base'));
        timings.label.push(performance.now() - t0);

        t0 = performance.now();
        await submit(`l${round}`);
        timings.plain.push(performance.now() - t0);
        polls.plain.push(1);
      }
    } finally {
      await Promise.all([started.stop(), base.close(), fresh.close()]);
      await rm(dir, { recursive: true, force: true });
    }
    const labels = { register: 'register → routed', cancel: 'cancel → unrouted', label: 'label PUT → routed', plain: 'plain submit (peer)' };
    const rows = (['register', 'cancel', 'label', 'plain'] as const).map((kind) => ({ label: labels[kind], values: summary(timings[kind], polls[kind]) }));
    const p99 = (kind: keyof typeof timings) => summary(timings[kind], polls[kind]).p99_ms;
    return {
      title: `Registry change → first request routed accordingly (${ROUNDS} rounds each, gateway pinned to core 0)`,
      rows,
      ratios: [
        { label: 'register → routed p99 / 100 ms goal', value: p99('register') / 100, goal: '<= 1' },
        { label: 'cancel → unrouted p99 / 100 ms goal', value: p99('cancel') / 100, goal: '<= 1' },
        { label: 'label change → routed p99 / 100 ms goal', value: p99('label') / 100, goal: '<= 1' },
        { label: 'register → routed p99 / plain submit p99', value: p99('register') / p99('plain') },
      ],
      notes: ['times include the change request itself; requests_per_change 1.00 means the first request after the change was already routed by it'],
    };
  },
};
