/**
 * Unmodified eureka-js-client 4.5 processes against the gateway's Eureka API: registration,
 * heartbeats, 404 → re-registration, stop(), silent death, cache filtering, delta fetches, and
 * credentials in the service URL (spec eureka-and-etcd.md §4, §9 behaviours 1, 11, 13, 14, 17, 25).
 */
import t from 'tap';
import { startGateway, type TestGateway } from '../../helpers/gateway.js';
import { eureka, eventually, register, registeredInstances, registration } from '../../helpers/eureka.js';
import { startEurekaClient } from '../../helpers/eureka-client.js';

const OBJECT_STYLE = { instanceId: 'foo-1', port: { $: 9205, '@enabled': 'true' }, metadata: { route: 'et1' } };

function serviceUrl(gw: TestGateway, path = '/eureka/apps/', credentials = ''): string {
  return gw.gateway.adminUrl.replace('http://', `http://${credentials}`) + path;
}

async function ids(gw: TestGateway): Promise<string[]> {
  return (await registeredInstances(gw)).map((instance) => instance.instanceId).sort();
}

t.test('1, 13: a client registers (204), heartbeats (200) and its stop() removes it', async (t) => {
  const gw = await startGateway(t, '');
  const client = startEurekaClient(t, { serviceUrl: serviceUrl(gw), instance: { app: 'foo-service', ...OBJECT_STYLE }, fetchRegistry: false });
  await client.waitFor('started');
  t.same(await ids(gw), ['foo-1']);
  const instance = (await eureka(gw, 'GET', '/eureka/apps/FOO-SERVICE')).json().application.instance[0];
  t.equal(instance.status, 'UP');
  t.same(instance.metadata, { route: 'et1' });
  await client.waitFor('heartbeat', 2);
  await client.stop();
  t.ok(client.events.includes('stopped'), `stop() succeeded: ${client.events.join(',')}`);
  t.same(await ids(gw), []);
});

t.test("README's simple config (bare port, no @class, default /eureka/v2/apps/) registers under its host name", async (t) => {
  const gw = await startGateway(t, '');
  const client = startEurekaClient(t, {
    serviceUrl: serviceUrl(gw, '/eureka/v2/apps/'),
    instance: { app: 'foo-service', port: 9205, dataCenterInfo: { name: 'MyOwn' } },
    shouldUseDelta: true,
  });
  await client.waitFor('started');
  await client.waitFor('heartbeat');
  t.same(await ids(gw), ['127.0.0.1']);
  await client.stop();
  t.same(await ids(gw), []);
});

t.test('11: a heartbeat answered 404 makes the client register again, then heartbeats succeed', async (t) => {
  const gw = await startGateway(t, '');
  const client = startEurekaClient(t, { serviceUrl: serviceUrl(gw), instance: { app: 'foo-service', ...OBJECT_STYLE }, fetchRegistry: false });
  await client.waitFor('started');
  t.equal((await eureka(gw, 'DELETE', '/eureka/apps/FOO-SERVICE/foo-1')).status, 200, 'forgotten behind its back');
  await client.waitFor('re-register');
  await client.waitFor('registered', 2);
  t.same(await ids(gw), ['foo-1']);
  const beats = client.count('heartbeat');
  await client.waitFor('heartbeat', beats + 1);
  t.pass('heartbeats succeed again');
});

t.test('14: a client that dies silently is gone once its 2-second lease has run out', async (t) => {
  const gw = await startGateway(t, 'registry: { eureka: { evictionInterval: 200ms } }\n');
  const client = startEurekaClient(t, {
    serviceUrl: serviceUrl(gw),
    instance: { app: 'foo-service', ...OBJECT_STYLE, leaseInfo: { durationInSecs: 2 } },
    fetchRegistry: false,
  });
  await client.waitFor('heartbeat');
  t.equal((await registeredInstances(gw))[0].leaseInfo.durationInSecs, 2, "the client's lease length is honoured");
  await client.kill();
  t.same(await ids(gw), ['foo-1'], 'still there right after the death');
  await eventually(async () => (await ids(gw)).length === 0, 10_000, 'expiry');
  t.pass('expired');
});

t.test("17: an OUT_OF_SERVICE override drops the instance from clients' UP-only caches", async (t) => {
  const gw = await startGateway(t, '');
  const client = startEurekaClient(t, { serviceUrl: serviceUrl(gw), instance: { app: 'foo-service', ...OBJECT_STYLE } });
  await client.waitFor('registryUpdated');
  await eventually(async () => (await client.app('foo-service')).length === 1, 10_000, 'cached while UP');
  await eureka(gw, 'PUT', '/eureka/apps/FOO-SERVICE/foo-1/status?value=OUT_OF_SERVICE');
  await eventually(async () => (await client.app('foo-service')).length === 0, 10_000, 'dropped from the cache');
  t.pass('dropped');
});

t.test('25: a delta-fetching client keeps a correct cache across register, status change and cancel of another instance', async (t) => {
  const gw = await startGateway(t, '');
  const observer = startEurekaClient(t, { serviceUrl: serviceUrl(gw), instance: { app: 'observer', instanceId: 'obs-1', port: 9300 }, shouldUseDelta: true });
  await observer.waitFor('registryUpdated');
  const statusOf = async () => (await observer.vip('orders')).map((instance) => instance.status);

  await register(gw, 'orders', registration('orders', 'orders-1', 9400, { vipAddress: 'orders' }));
  await eventually(async () => (await statusOf()).join() === 'UP', 10_000, 'ADDED applied');
  await eureka(gw, 'PUT', '/eureka/apps/ORDERS/orders-1/status?value=OUT_OF_SERVICE');
  await eventually(async () => (await statusOf()).join() === 'OUT_OF_SERVICE', 10_000, 'MODIFIED applied');
  await eureka(gw, 'DELETE', '/eureka/apps/ORDERS/orders-1');
  await eventually(async () => (await statusOf()).length === 0, 10_000, 'DELETED applied');
  t.same((await observer.app('observer')).map((instance) => instance.instanceId), ['obs-1'], 'its own entry untouched');
  t.ok(observer.count('registryUpdated') === 1, 'only the first fetch was full; the rest were deltas');
});

t.test('credentials in the service URL pass registry.eureka.auth; a client without them cannot register', async (t) => {
  const gw = await startGateway(t, 'registry: { eureka: { auth: { user: eu, password: "p@ss" } } }\n');
  const good = startEurekaClient(t, { serviceUrl: serviceUrl(gw, '/eureka/apps/', 'eu:p%40ss@'), instance: { app: 'good', instanceId: 'g-1', port: 9500 }, fetchRegistry: false });
  await good.waitFor('started');
  const bad = startEurekaClient(t, { serviceUrl: serviceUrl(gw), instance: { app: 'bad', instanceId: 'b-1', port: 9501 }, fetchRegistry: false });
  await bad.waitFor('start-failed');
  const authorization = `Basic ${Buffer.from('eu:p@ss').toString('base64')}`;
  const names = (await eureka(gw, 'GET', '/eureka/apps', { authorization })).json().applications.application.map((app: any) => app.name);
  t.same(names, ['GOOD']);
});
