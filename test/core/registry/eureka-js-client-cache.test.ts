/**
 * Unmodified eureka-js-client 4.5 processes reading the gateway's registry: what their caches
 * hold after status overrides and delta fetches, and credentials in the service URL (spec
 * eureka-and-etcd.md §4, §9 behaviours 17, 25).
 */
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { eureka, eventually, register, registration } from '../../helpers/eureka.js';
import { OBJECT_STYLE, serviceUrl, startEurekaClient } from '../../helpers/eureka-client.js';

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
