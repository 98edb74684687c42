/**
 * Unmodified eureka-js-client 4.5 processes against the gateway's Eureka API, their lifecycle:
 * registration, heartbeats, 404 → re-registration, stop(), silent death (spec
 * eureka-and-etcd.md §4, §9 behaviours 1, 11, 13, 14). Their caches: eureka-js-client-cache.test.ts.
 */
import t from 'tap';
import { startGateway, type TestGateway } from '../../helpers/gateway.js';
import { eureka, eventually, registeredInstances } from '../../helpers/eureka.js';
import { OBJECT_STYLE, serviceUrl, startEurekaClient } from '../../helpers/eureka-client.js';

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
