/**
 * `registry.upstreamEureka`: instances read from other Eureka servers (a second gateway, and a
 * scripted fake that records what it is asked) are routable, merged with registered and static
 * ones, and kept current with delta fetches.
 */
import t from 'tap';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { startGateway, type TestGateway } from '../../helpers/gateway.js';
import { eureka, eventually, register, registration } from '../../helpers/eureka.js';
import { startUpstream } from '../../helpers/upstream.js';

const PASS = 'security: { passThrough: ["^/api/"] }\n';

async function whereTo(gw: TestGateway, service: string): Promise<string> {
  const answer = await gw.request(`/api/rest_j/v1/${service}/ping`);
  const json = answer.json();
  return json.upstream ?? json.data?.code;
}

t.test('instances registered on an upstream Eureka are routable here, merged with local and static ones, and follow its changes', async (t) => {
  const [orders, local, fixed] = await Promise.all([startUpstream('orders'), startUpstream('local'), startUpstream('static')]);
  t.teardown(() => Promise.all([orders.close(), local.close(), fixed.close()]));
  const remote = await startGateway(t, '');
  const gw = await startGateway(t, `${PASS}registry:
  upstreamEureka: [{ url: "${remote.gateway.adminUrl}/eureka/", interval: 100ms }]
  static: [{ app: fixed, instances: ["${fixed.hostPort}"] }]
`);
  await register(remote, 'orders', registration('orders', 'o-1', orders.port));
  await register(gw, 'local', registration('local', 'l-1', local.port));
  await eventually(async () => (await whereTo(gw, 'orders')) === 'orders', 10_000, 'the remote instance routable');
  t.equal(await whereTo(gw, 'local'), 'local');
  t.equal(await whereTo(gw, 'fixed'), 'static');
  const listed = (await gw.admin('/admin/instances')).json().data.instances.map((i: any) => `${i.app}:${i.source}`).sort();
  t.same(listed, ['LOCAL:eureka', 'ORDERS:upstream', 'fixed:static']);
  await eureka(remote, 'PUT', '/eureka/apps/ORDERS/o-1/status?value=OUT_OF_SERVICE');
  await eventually(async () => (await whereTo(gw, 'orders')) === 'LG_ERR_ROUTE_NO_LIVE_INSTANCE', 10_000, 'status change followed');
  await eureka(remote, 'DELETE', '/eureka/apps/ORDERS/o-1');
  await eventually(async () => (await whereTo(gw, 'orders')) === 'LG_ERR_ROUTE_NO_APPLICATION', 10_000, 'cancel followed');
  t.pass('followed the upstream');
});

interface Scripted {
  url: string;
  requests: { path: string; authorization?: string }[];
  full: unknown;
  delta: unknown;
  failing: boolean;
  close(): Promise<void>;
}

async function scriptedEureka(): Promise<Scripted> {
  const state: Omit<Scripted, 'url' | 'close'> = { requests: [], full: undefined, delta: undefined, failing: false };
  const server = http.createServer((req, res) => {
    const path = req.url ?? '';
    state.requests.push({ path, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    if (state.failing) {
      res.writeHead(503).end();
      return;
    }
    const body = JSON.stringify(path.endsWith('/delta') ? state.delta : state.full);
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(gzipSync(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://reader:s%40cret@127.0.0.1:${port}/eureka`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  });
}

function apps(hash: string, instances: Record<string, unknown>[]) {
  return { applications: { versions__delta: '1', apps__hashcode: hash, application: instances.map((instance) => ({ name: instance.app, instance })) } };
}

function remoteInstance(id: string, port: number, extra: Record<string, unknown> = {}) {
  return { ...registration('ORDERS', id, port).instance, app: 'ORDERS', ...extra };
}

t.test('the reader fetches full once, then deltas; a hash mismatch or a failure makes the next fetch full', async (t) => {
  const [o1, o2] = await Promise.all([startUpstream('o1'), startUpstream('o2')]);
  const fake = await scriptedEureka();
  t.teardown(() => Promise.all([o1.close(), o2.close(), fake.close()]));
  fake.full = apps('UP_1_', [remoteInstance('o-1', o1.port)]);
  fake.delta = apps('UP_1_', []);
  const gw = await startGateway(t, `${PASS}registry: { upstreamEureka: [{ url: "${fake.url}", interval: 100ms }] }\n`);
  await eventually(async () => (await whereTo(gw, 'orders')) === 'o1', 10_000, 'full fetch applied');
  await eventually(() => fake.requests.filter((r) => r.path.endsWith('/delta')).length >= 2, 10_000, 'delta polling');
  t.equal(fake.requests[0]?.path, '/eureka/apps/', 'first a full fetch');
  t.equal(fake.requests[0]?.authorization, `Basic ${Buffer.from('reader:s@cret').toString('base64')}`, 'URL credentials sent as Basic');
  t.equal(fake.requests.filter((r) => r.path === '/eureka/apps/').length, 1, 'then only deltas while hashes agree');

  fake.delta = apps('UP_2_', [{ ...remoteInstance('o-2', o2.port), actionType: 'ADDED' }]);
  await eventually(async () => (await whereTo(gw, 'orders')) !== undefined && new Set(await Promise.all([1, 2, 3, 4, 5, 6].map(() => whereTo(gw, 'orders')))).size === 2, 10_000, 'ADDED applied');
  fake.delta = apps('UP_1_', [{ ...remoteInstance('o-2', o2.port), actionType: 'DELETED' }]);
  await eventually(async () => new Set(await Promise.all([1, 2, 3, 4, 5, 6].map(() => whereTo(gw, 'orders')))).size === 1, 10_000, 'DELETED applied');

  const fulls = () => fake.requests.filter((r) => r.path === '/eureka/apps/').length;
  fake.delta = apps('DOWN_7_', []);
  await eventually(() => fulls() >= 2, 10_000, 'a full fetch after a hash mismatch');
  fake.failing = true;
  const failedAt = fake.requests.length;
  await eventually(() => fake.requests.length > failedAt + 2, 10_000, 'retries while failing');
  t.equal(await whereTo(gw, 'orders'), 'o1', 'the last known instances stay routable while the upstream fails');
  fake.failing = false;
  const before = fulls();
  await eventually(() => fulls() > before, 10_000, 'a full fetch after recovery');
});
