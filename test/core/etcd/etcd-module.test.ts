/**
 * Two gateway processes sharing one etcd (spec eureka-and-etcd.md §9, behaviours 32, 33, 37):
 * registry, labels and sessions are one system whichever gateway a client talks to.
 */
import t from 'tap';
import { login } from '../../helpers/auth.js';
import { eventually } from '../../helpers/eureka.js';
import { startGatewayProcess } from '../../helpers/gateway-process.js';
import { ENTRANCE, ALICE, entranceIds, eurekaCall, registerEntrance, startScaleOut, submit } from '../../helpers/scale-out.js';

const { a, b, upstream, yaml } = await startScaleOut(t);
const instancePath = (id: string) => `/eureka/apps/${ENTRANCE.toUpperCase()}/${id}`;

t.test('32: registered through A, an instance is served and routed by B; heartbeats to B alone keep it; a cancel through B removes it from A', async (t) => {
  t.equal((await registerEntrance(a, 'e-32', upstream.port, { ttl: 2 })).status, 204);
  await eventually(async () => (await entranceIds(b)).includes('e-32'), 5000, 'B lists it');
  const routed = await submit(b);
  t.equal(routed.status, 200);
  t.equal(routed.headers['x-upstream'], 'entrance-1', 'B routes to it');
  const end = Date.now() + 4500;
  while (Date.now() < end) {
    t.equal((await eurekaCall(b, 'PUT', instancePath('e-32'))).status, 200, 'heartbeat through B');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  t.ok((await entranceIds(a)).includes('e-32'), 'alive on A after twice its TTL');
  t.equal((await eurekaCall(b, 'DELETE', instancePath('e-32'))).status, 200);
  await eventually(async () => !(await entranceIds(a)).includes('e-32'), 5000, 'A drops it');
  t.equal((await submit(a)).json().data.errCode, 10050, 'and has nothing left to route to');
});

t.test('33: without heartbeats, both gateways drop the instance when its lease ends', async (t) => {
  t.equal((await registerEntrance(b, 'e-33', upstream.port, { ttl: 2 })).status, 204);
  await eventually(async () => (await entranceIds(a)).includes('e-33'), 5000, 'A lists it');
  await eventually(async () => !(await entranceIds(a)).includes('e-33') && !(await entranceIds(b)).includes('e-33'), 10_000, 'both drop it');
  t.equal((await eurekaCall(a, 'PUT', instancePath('e-33'))).status, 404, 'its heartbeat now asks it to register again');
});

t.test('31: a label set through A routes through B', async (t) => {
  t.equal((await registerEntrance(a, 'e-31', upstream.port)).status, 204);
  t.teardown(() => eurekaCall(a, 'DELETE', instancePath('e-31')));
  const put = await a.admin(`/admin/labels/${ENTRANCE}/127.0.0.1:${upstream.port}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"route": "et1"}' });
  t.equal(put.status, 200);
  t.teardown(() => a.admin(`/admin/labels/${ENTRANCE}/127.0.0.1:${upstream.port}`, { method: 'DELETE' }));
  await eventually(async () => (await submit(b, 'et1')).status === 200, 5000, 'B routes route=et1');
  t.equal((await submit(b)).status, 503, 'and keeps unlabelled traffic off the labelled instance');
});

t.test('sessions are shared: log in through A, use the cookie on B; log out on B, and A refuses it', async (t) => {
  const { answer, cookie } = await login(a, ALICE.name, ALICE.password);
  t.equal(answer.status, 200);
  t.ok(cookie);
  const onB = await b.request('/api/rest_j/v1/user/userInfo', { headers: { cookie: cookie! } });
  t.equal(onB.status, 200);
  t.equal(onB.json().data.userName, 'alice');
  t.equal((await b.request('/api/rest_j/v1/user/logout', { method: 'POST', headers: { cookie: cookie! } })).status, 200);
  await eventually(async () => (await a.request('/api/rest_j/v1/user/userInfo', { headers: { cookie: cookie! } })).status !== 200, 5000, 'A refuses it');
});

t.test('each gateway reports itself under members/', async (t) => {
  const { EtcdConnection } = await import('../../../core/etcd/connection.js');
  const { createLogger } = await import('../../../core/logger.js');
  const endpoints = /endpoints: (\[[^\]]*\])/.exec(yaml)![1]!;
  const etcd = new EtcdConnection({ endpoints: JSON.parse(endpoints), prefix: '/scale-out/', timeout: 2000 }, createLogger('silent'));
  t.teardown(() => etcd.close());
  const members = (await etcd.list('test', etcd.keys.members)).kvs.map((kv) => JSON.parse(kv.value.toString()));
  t.same(members.map((member) => member.addr).sort(), [a.url, b.url].sort());
  t.same(members.map((member) => member.configRevision), [0, 0], 'no config pushed');
});

t.test('37: a gateway started later serves the whole registry before it is ready, and never answers a known heartbeat with 404', async (t) => {
  const ids = Array.from({ length: 20 }, (_, i) => `e-37-${i}`);
  for (const id of ids) t.equal((await registerEntrance(a, id, upstream.port)).status, 204);
  t.teardown(async () => { for (const id of ids) await eurekaCall(a, 'DELETE', instancePath(id)); });
  const c = await startGatewayProcess(t, yaml);
  const heartbeats: number[] = [];
  let ready = false;
  while (!ready) {
    heartbeats.push((await eurekaCall(c, 'PUT', instancePath(ids[heartbeats.length % ids.length]!))).status);
    ready = (await c.admin('/readyz')).status === 200;
  }
  t.same((await entranceIds(c)).filter((id) => id.startsWith('e-37-')), [...ids].sort(), 'the full registry once ready');
  t.same([...new Set(heartbeats)], [200], 'every heartbeat answered 200');
});
