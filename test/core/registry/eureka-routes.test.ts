/**
 * The Eureka REST API on a real gateway's admin listener, call by call (spec
 * eureka-and-etcd.md §9, behaviours named by number).
 */
import t from 'tap';
import { gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { request } from 'undici';
import { GatewayError } from '../../../core/errors.js';
import { createLogger } from '../../../core/logger.js';
import { EurekaReads } from '../../../core/registry/eureka-reads.js';
import { eurekaAdminModule } from '../../../core/registry/eureka-routes.js';
import { EurekaWrites } from '../../../core/registry/eureka-writes.js';
import { MemoryStore } from '../../../core/registry/memory-store.js';
import { RegistryMirror } from '../../../core/registry/mirror.js';
import { startGateway, type TestGateway } from '../../helpers/gateway.js';
import { eureka, eventually, register, registeredInstances, registration } from '../../helpers/eureka.js';

const CONFIG = 'registry: { eureka: { leaseSeconds: 30 } }\n';

async function gateway(t: { teardown(fn: () => unknown): void }, yaml = CONFIG): Promise<TestGateway> {
  return startGateway(t, yaml);
}

async function instanceOf(gw: TestGateway, app: string, id: string): Promise<any> {
  const answer = await eureka(gw, 'GET', `/eureka/apps/${app}/${encodeURIComponent(id)}`);
  return answer.status === 200 ? answer.json().instance : undefined;
}

t.test('1, 7: a registration is answered 204 with no body and listed under its app at once', async (t) => {
  const gw = await gateway(t);
  const answer = await register(gw, 'foo-service', registration('foo-service', 'foo-1', 9205, { metadata: { route: 'et1' } }));
  t.equal(answer.status, 204);
  t.equal(answer.text, '');
  const app = (await eureka(gw, 'GET', '/eureka/apps/FOO-SERVICE')).json();
  t.equal(app.application.name, 'FOO-SERVICE');
  t.same(app.application.instance.map((i: any) => [i.instanceId, i.status]), [['foo-1', 'UP']]);
});

t.test('2: /eureka/, /eureka/v1/ and /eureka/v2/ serve one registry; apps and apps/ answer alike', async (t) => {
  const gw = await gateway(t);
  t.equal((await register(gw, 'a', registration('a', 'a-1', 1001), '/eureka/v2')).status, 204);
  t.equal((await register(gw, 'b', registration('b', 'b-1', 1002), '/eureka/v1')).status, 204);
  const bodies = await Promise.all(['/eureka/apps', '/eureka/apps/', '/eureka/v2/apps', '/eureka/v1/apps/'].map(async (path) => (await eureka(gw, 'GET', path)).text));
  t.equal(new Set(bodies).size, 1, 'identical bodies');
  t.same(JSON.parse(bodies[0]!).applications.application.map((app: any) => app.name), ['A', 'B']);
  t.equal((await eureka(gw, 'PUT', '/eureka/v1/apps/A/a-1')).status, 200, 'heartbeat under another prefix');
});

t.test('3: application names are case-insensitive and always spelled upper-case', async (t) => {
  const gw = await gateway(t);
  await register(gw, 'foo-service', registration('foo-service', 'foo-1', 9205));
  for (const path of ['/eureka/apps/FOO-SERVICE', '/eureka/apps/foo-service', '/eureka/apps/Foo-Service/foo-1']) {
    const answer = await eureka(gw, 'GET', path);
    t.equal(answer.status, 200, path);
    t.match(answer.text, /"app":"FOO-SERVICE"/);
  }
});

t.test('4, 9: a minimal body (bare port, no @class, no instanceId) is completed with Eureka defaults', async (t) => {
  const gw = await gateway(t);
  const body = { instance: { app: 'foo-service', hostName: 'host-a', ipAddr: '10.0.0.5', port: 9205, dataCenterInfo: { name: 'MyOwn' } } };
  t.equal((await register(gw, 'foo-service', body)).status, 204);
  const instance = await instanceOf(gw, 'FOO-SERVICE', 'host-a');
  t.ok(instance, 'the id fell back to the hostName');
  t.same(instance.port, { $: 9205, '@enabled': 'true' });
  t.same(instance.dataCenterInfo, { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' });
  t.equal(instance.isCoordinatingDiscoveryServer, 'false');
  t.type(instance.lastUpdatedTimestamp, 'string');
  t.type(instance.lastDirtyTimestamp, 'string');
  t.equal(instance.overriddenStatus, 'UNKNOWN');
  t.equal(instance.leaseInfo.renewalIntervalInSecs, 30);
  t.equal(instance.leaseInfo.durationInSecs, 30, 'registry.eureka.leaseSeconds when the client sends none');
  t.equal(instance.status, 'UP');
});

t.test('5: a port with "$" as a string and @enabled as a boolean is normalised', async (t) => {
  const gw = await gateway(t);
  await register(gw, 'svc', registration('svc', 's-1', 1, { port: { $: '9205', '@enabled': true } }));
  t.same((await instanceOf(gw, 'SVC', 's-1')).port, { $: 9205, '@enabled': 'true' });
});

t.test('6: registrations with a missing field or another app than the path are 400 and store nothing', async (t) => {
  const gw = await gateway(t);
  const base = registration('svc', 's-1', 9000).instance;
  const without = (field: string) => {
    const copy: Record<string, unknown> = { ...base };
    delete copy[field];
    return { instance: copy };
  };
  const cases: [string, unknown][] = [
    ['no hostName', without('hostName')],
    ['no ipAddr', without('ipAddr')],
    ['no app', without('app')],
    ['no dataCenterInfo', without('dataCenterInfo')],
    ['no dataCenterInfo.name', { instance: { ...base, dataCenterInfo: { '@class': 'x' } } }],
    ['app differs from the path', registration('other', 's-1', 9000)],
    ['no instance wrapper', base],
    ['port out of range', { instance: { ...base, port: 70000 } }],
    ['a bogus status', { instance: { ...base, status: 'SLEEPING' } }],
    ['a host name with a slash', { instance: { ...base, hostName: 'evil/x' } }],
  ];
  for (const [why, body] of cases) {
    const answer = await register(gw, 'svc', body);
    t.equal(answer.status, 400, why);
    t.equal(answer.json().data.code, 'LG_ERR_EUREKA_BAD_REGISTRATION', why);
  }
  const notJson = await gw.admin('/eureka/apps/svc', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"instance": ' });
  t.equal(notJson.json().data.code, 'LG_ERR_EUREKA_BAD_REGISTRATION', 'truncated JSON');
  const xml = await gw.admin('/eureka/apps/svc', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<instance/>' });
  t.equal(xml.status, 400, 'XML registrations are refused with a reason');
  t.same(await registeredInstances(gw), [], 'nothing stored');
});

t.test('8: GET /eureka/apps has string versions__delta, apps__hashcode per status, arrays everywhere', async (t) => {
  const gw = await gateway(t);
  const empty = (await eureka(gw, 'GET', '/eureka/apps')).json();
  t.equal(empty.applications.apps__hashcode, '');
  t.same(empty.applications.application, []);
  await register(gw, 'a', registration('a', 'a-1', 1001));
  await register(gw, 'a', registration('a', 'a-2', 1002));
  await register(gw, 'b', registration('b', 'b-1', 1003, { status: 'DOWN' }));
  const full = (await eureka(gw, 'GET', '/eureka/apps')).json();
  t.type(full.applications.versions__delta, 'string');
  t.equal(full.applications.apps__hashcode, 'DOWN_1_UP_2_');
  t.ok(full.applications.application.every((app: any) => Array.isArray(app.instance)));
});

t.test('10, 12: heartbeats answer 200 with no body; a newer client lastDirtyTimestamp answers 404', async (t) => {
  const gw = await gateway(t);
  await register(gw, 'foo', registration('foo', 'foo-1', 9205, { lastDirtyTimestamp: 1000 }));
  const plain = await eureka(gw, 'PUT', '/eureka/apps/FOO/foo-1');
  t.equal(plain.status, 200);
  t.equal(plain.text, '');
  t.equal((await eureka(gw, 'PUT', '/eureka/apps/FOO/foo-1?status=UP&lastDirtyTimestamp=1000')).status, 200, 'equal');
  t.equal((await eureka(gw, 'PUT', '/eureka/apps/FOO/foo-1?status=UP&lastDirtyTimestamp=999')).status, 200, 'older');
  const newer = await eureka(gw, 'PUT', '/eureka/apps/FOO/foo-1?status=UP&lastDirtyTimestamp=1001');
  t.equal(newer.status, 404);
  t.equal(newer.json().data.code, 'LG_ERR_EUREKA_REREGISTER');
  const spring = await gw.admin('/eureka/apps/FOO/foo-1?status=UP&lastDirtyTimestamp=1000', { method: 'PUT', headers: { accept: 'application/json', 'content-type': 'application/json' } });
  t.equal(spring.status, 200, "Spring's empty JSON-typed heartbeat body");
});

t.test('11 (wire), 13: heartbeat and cancel of an unknown instance are 404; cancel removes it', async (t) => {
  const gw = await gateway(t);
  const unknown = await eureka(gw, 'PUT', '/eureka/apps/FOO/nope');
  t.equal(unknown.status, 404);
  t.equal(unknown.json().data.code, 'LG_ERR_EUREKA_UNKNOWN_INSTANCE');
  await register(gw, 'foo', registration('foo', 'foo-1', 9205));
  t.equal((await eureka(gw, 'DELETE', '/eureka/apps/FOO/foo-1')).status, 200);
  t.same(await registeredInstances(gw), []);
  t.equal((await eureka(gw, 'DELETE', '/eureka/apps/FOO/foo-1')).status, 404, 'deleting again');
});

t.test('17, 18: a status override shows in status and overriddenStatus and survives re-registration as UP', async (t) => {
  const gw = await gateway(t);
  await register(gw, 'foo', registration('foo', 'foo-1', 9205));
  t.equal((await eureka(gw, 'PUT', '/eureka/apps/FOO/foo-1/status?value=OUT_OF_SERVICE')).status, 200);
  let instance = await instanceOf(gw, 'FOO', 'foo-1');
  t.equal(instance.status, 'OUT_OF_SERVICE');
  t.equal(instance.overriddenStatus, 'OUT_OF_SERVICE');
  await register(gw, 'foo', registration('foo', 'foo-1', 9205, { status: 'UP' }));
  instance = await instanceOf(gw, 'FOO', 'foo-1');
  t.equal(instance.status, 'OUT_OF_SERVICE', 'the override wins over the client');
  await register(gw, 'foo', registration('foo', 'foo-1', 9205, { status: 'DOWN' }));
  t.equal((await instanceOf(gw, 'FOO', 'foo-1')).status, 'DOWN', 'but a client going DOWN is believed');
});

t.test('19: deleting the override sets the given status, or UNKNOWN which makes the next heartbeat 404', async (t) => {
  const gw = await gateway(t);
  await register(gw, 'foo', registration('foo', 'foo-1', 9205));
  await eureka(gw, 'PUT', '/eureka/apps/FOO/foo-1/status?value=OUT_OF_SERVICE');
  t.equal((await eureka(gw, 'DELETE', '/eureka/apps/FOO/foo-1/status?value=UP')).status, 200);
  let instance = await instanceOf(gw, 'FOO', 'foo-1');
  t.same([instance.status, instance.overriddenStatus], ['UP', 'UNKNOWN']);
  await eureka(gw, 'PUT', '/eureka/apps/FOO/foo-1/status?value=OUT_OF_SERVICE');
  await eureka(gw, 'DELETE', '/eureka/apps/FOO/foo-1/status');
  instance = await instanceOf(gw, 'FOO', 'foo-1');
  t.same([instance.status, instance.overriddenStatus], ['UNKNOWN', 'UNKNOWN']);
  t.equal((await eureka(gw, 'PUT', '/eureka/apps/FOO/foo-1')).json().data.code, 'LG_ERR_EUREKA_REREGISTER');
  await register(gw, 'foo', registration('foo', 'foo-1', 9205));
  t.equal((await instanceOf(gw, 'FOO', 'foo-1')).status, 'UP', 're-registration brings it back');
});

t.test('20: a bogus status value is 400 (documented; Eureka says 500); an unknown instance is 404', async (t) => {
  const gw = await gateway(t);
  await register(gw, 'foo', registration('foo', 'foo-1', 9205));
  const bogus = await eureka(gw, 'PUT', '/eureka/apps/FOO/foo-1/status?value=BOGUS');
  t.equal(bogus.status, 400);
  t.equal(bogus.json().data.code, 'LG_ERR_EUREKA_BAD_STATUS');
  t.equal((await eureka(gw, 'PUT', '/eureka/apps/FOO/nope/status?value=UP')).status, 404);
  t.equal((await eureka(gw, 'DELETE', '/eureka/apps/FOO/nope/status')).status, 404);
});

t.test('21: metadata updates merge into the existing metadata; unknown instance is 404', async (t) => {
  const gw = await gateway(t);
  await register(gw, 'foo', registration('foo', 'foo-1', 9205, { metadata: { 'management.port': '9205' } }));
  t.equal((await eureka(gw, 'PUT', '/eureka/apps/FOO/foo-1/metadata?route=et2&zone=a&zone=b')).status, 200);
  t.same((await instanceOf(gw, 'FOO', 'foo-1')).metadata, { 'management.port': '9205', route: 'et2', zone: 'a' }, 'first value wins');
  t.equal((await eureka(gw, 'PUT', '/eureka/apps/FOO/nope/metadata?route=x')).status, 404);
});

t.test('22: single app, single instance and instance-by-id reads; unknown ones are 404', async (t) => {
  const gw = await gateway(t);
  await register(gw, 'foo', registration('foo', 'foo-1', 9205));
  t.equal((await eureka(gw, 'GET', '/eureka/apps/FOO/foo-1')).json().instance.instanceId, 'foo-1');
  t.equal((await eureka(gw, 'GET', '/eureka/instances/foo-1')).json().instance.app, 'FOO');
  t.equal((await eureka(gw, 'GET', '/eureka/instances/nope')).status, 404);
  t.equal((await eureka(gw, 'GET', '/eureka/apps/FOO/nope')).status, 404);
  const app = await eureka(gw, 'GET', '/eureka/apps/NOPE');
  t.equal(app.status, 404);
  t.equal(app.json().data.code, 'LG_ERR_EUREKA_UNKNOWN_APPLICATION');
});

t.test('23: vips and svips match one entry of the comma-separated list exactly', async (t) => {
  const gw = await gateway(t);
  await register(gw, 'a', registration('a', 'a-1', 1001, { vipAddress: 'foo-service,bar', secureVipAddress: 'secure-foo' }));
  await register(gw, 'b', registration('b', 'b-1', 1002, { vipAddress: 'foo-service-2' }));
  await register(gw, 'c', registration('c', 'c-1', 1003, { vipAddress: 'Foo-Service' }));
  const ids = async (path: string) => (await eureka(gw, 'GET', path)).json().applications.application.flatMap((app: any) => app.instance.map((i: any) => i.instanceId));
  t.same(await ids('/eureka/vips/foo-service'), ['a-1']);
  t.same(await ids('/eureka/svips/secure-foo'), ['a-1']);
  t.same(await ids('/eureka/svips/foo-service'), []);
});

t.test('24: the delta lists ADDED, MODIFIED and DELETED (with hostName and port) and the full hash', async (t) => {
  const gw = await gateway(t);
  await register(gw, 'foo', registration('foo', 'foo-1', 9205));
  await register(gw, 'foo', registration('foo', 'foo-2', 9206));
  await eureka(gw, 'PUT', '/eureka/apps/FOO/foo-1/status?value=OUT_OF_SERVICE');
  await eureka(gw, 'DELETE', '/eureka/apps/FOO/foo-2');
  const delta = (await eureka(gw, 'GET', '/eureka/apps/delta')).json().applications;
  const entries = delta.application.flatMap((app: any) => app.instance.map((i: any) => [i.instanceId, i.actionType]));
  t.same(entries, [['foo-1', 'ADDED'], ['foo-1', 'MODIFIED'], ['foo-2', 'ADDED'], ['foo-2', 'DELETED']]);
  const deleted = delta.application[0].instance[3];
  t.equal(deleted.hostName, '127.0.0.1');
  t.same(deleted.port, { $: 9206, '@enabled': 'true' });
  t.equal(delta.apps__hashcode, (await eureka(gw, 'GET', '/eureka/apps')).json().applications.apps__hashcode);
  t.equal(delta.apps__hashcode, 'OUT_OF_SERVICE_1_');
});

t.test('24: delta entries older than registry.eureka.deltaRetention are gone', async (t) => {
  const gw = await gateway(t, 'registry: { eureka: { deltaRetention: 300ms } }\n');
  await register(gw, 'foo', registration('foo', 'foo-1', 9205));
  t.equal((await eureka(gw, 'GET', '/eureka/apps/delta')).json().applications.application.length, 1);
  await eventually(async () => (await eureka(gw, 'GET', '/eureka/apps/delta')).json().applications.application.length === 0, 10_000, 'the change aged out');
  t.equal((await registeredInstances(gw)).length, 1, 'while the instance itself stays');
});

t.test('26: a Spring-style body with a colon id, string timestamps and Java empty-map metadata registers', async (t) => {
  const gw = await gateway(t);
  const body = registration('ORDERS', 'host1:orders:9205', 9205, {
    hostName: 'host1', overriddenstatus: 'UNKNOWN', metadata: { '@class': 'java.util.Collections$EmptyMap' },
    leaseInfo: { renewalIntervalInSecs: '30', durationInSecs: '90', registrationTimestamp: '0', lastRenewalTimestamp: 0 },
    lastUpdatedTimestamp: '1695138914096', lastDirtyTimestamp: '1695138914096', isCoordinatingDiscoveryServer: 'false',
  });
  t.equal((await register(gw, 'ORDERS', body)).status, 204);
  const instance = await instanceOf(gw, 'ORDERS', 'host1:orders:9205');
  t.same(instance.metadata, {}, 'the @class marker is not metadata');
  t.equal(instance.leaseInfo.durationInSecs, 90);
  t.equal(instance.lastDirtyTimestamp, '1695138914096');
  for (const path of ['/eureka/apps/ORDERS/host1:orders:9205', '/eureka/apps/ORDERS/host1%3Aorders%3A9205']) {
    t.equal((await eureka(gw, 'PUT', path)).status, 200, `heartbeat ${path}`);
  }
  t.equal((await eureka(gw, 'PUT', '/eureka/apps/ORDERS/host1:orders:9205/status?value=DOWN')).status, 200);
  t.equal((await eureka(gw, 'DELETE', '/eureka/apps/ORDERS/host1:orders:9205')).status, 200);
});

t.test('27, 28: gzip only when asked; JSON with or without an Accept header', async (t) => {
  const gw = await gateway(t);
  await register(gw, 'foo', registration('foo', 'foo-1', 9205));
  const zipped = await gw.admin('/eureka/apps/', { headers: { accept: 'application/json', 'accept-encoding': 'gzip, deflate' } });
  t.equal(zipped.headers['content-encoding'], 'gzip');
  const identity = await gw.admin('/eureka/apps/', { headers: { accept: 'application/json' } });
  t.equal(identity.headers['content-encoding'], undefined);
  const bare = await gw.admin('/eureka/apps/');
  t.match(bare.headers['content-type'], /application\/json/);
  t.same(bare.json(), identity.json(), 'a bare request gets JSON too (documented deviation from XML)');
  const refused = await gw.admin('/eureka/apps/', { headers: { 'accept-encoding': 'gzip;q=0' } });
  t.equal(refused.headers['content-encoding'], undefined, 'q=0 refuses gzip');
  // undici's request() does not decode, so the raw gzip bytes decode to the same JSON.
  const raw = await fetchRaw(gw.gateway.adminUrl + '/eureka/apps/');
  t.same(JSON.parse(gunzipSync(raw).toString()), identity.json());
});

async function fetchRaw(url: string): Promise<Buffer> {
  const response = await request(url, { headers: { 'accept-encoding': 'gzip' } });
  return Buffer.from(await response.body.arrayBuffer());
}

t.test('29, 30: same id replaces (keeping serviceUpTimestamp); an older dirty timestamp does not overwrite', async (t) => {
  const gw = await gateway(t);
  await register(gw, 'foo', registration('foo', 'foo-1', 9205, { lastDirtyTimestamp: 2000, metadata: { v: '1' } }));
  await register(gw, 'foo', registration('foo', 'foo-2', 9206));
  const first = await instanceOf(gw, 'FOO', 'foo-1');
  await eventually(() => Date.now() > first.leaseInfo.registrationTimestamp, 1000, 'a later millisecond');
  await register(gw, 'foo', registration('foo', 'foo-1', 9205, { lastDirtyTimestamp: 3000, metadata: { v: '2' } }));
  const second = await instanceOf(gw, 'FOO', 'foo-1');
  t.equal(second.metadata.v, '2');
  t.ok(second.leaseInfo.registrationTimestamp > first.leaseInfo.serviceUpTimestamp, 'registered again later');
  t.equal(second.leaseInfo.serviceUpTimestamp, first.leaseInfo.serviceUpTimestamp, 'but up since the first time');
  t.equal((await registeredInstances(gw)).length, 2, 'two ids, two instances; one id registered twice is one');
  t.equal((await register(gw, 'foo', registration('foo', 'foo-1', 9205, { lastDirtyTimestamp: 2500, metadata: { v: 'stale' } }))).status, 204);
  t.equal((await instanceOf(gw, 'FOO', 'foo-1')).metadata.v, '2', 'the stale registration did not overwrite');
});

t.test('registry.eureka.auth guards /eureka/ with HTTP Basic; the admin token does not apply to it', async (t) => {
  const gw = await gateway(t, 'admin: { host: 127.0.0.1, port: 0, token: admin-secret }\nregistry: { eureka: { auth: { user: eu, password: pw } } }\n');
  const none = await eureka(gw, 'GET', '/eureka/apps');
  t.equal(none.status, 401);
  t.equal(none.json().data.code, 'LG_ERR_EUREKA_AUTH_REQUIRED');
  t.match(none.headers['www-authenticate'], /^Basic /);
  const wrong = await eureka(gw, 'GET', '/eureka/apps', { authorization: `Basic ${Buffer.from('eu:nope').toString('base64')}` });
  t.equal(wrong.status, 401);
  const right = await eureka(gw, 'GET', '/eureka/apps', { authorization: `Basic ${Buffer.from('eu:pw').toString('base64')}` });
  t.equal(right.status, 200);
  t.equal((await gw.admin('/admin/labels')).status, 401, 'the admin API still needs its token');
});

t.test('wrong methods are 405, unknown paths 404, malformed escapes 400, never a crash', async (t) => {
  const gw = await gateway(t);
  t.equal((await eureka(gw, 'POST', '/eureka/apps/delta')).json().data.code, 'LG_ERR_METHOD_NOT_ALLOWED');
  t.equal((await eureka(gw, 'POST', '/eureka/apps/FOO/foo-1')).status, 405);
  t.equal((await eureka(gw, 'GET', '/eureka/apps/FOO/foo-1/whatever')).status, 404);
  t.equal((await eureka(gw, 'GET', '/eureka/apps/FOO/%E0%A4%A')).status, 400);
  t.equal((await eureka(gw, 'GET', '/eureka/vips/a/b')).status, 404);
  const huge = await gw.admin('/eureka/apps/foo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(2 * 1024 * 1024) });
  t.equal(huge.status, 413);
  t.equal((await gw.admin('/healthz')).status, 200, 'still serving');
});

t.test('36 (memory side): a store that is unavailable answers 503, never 404, so clients retry rather than re-register', async (t) => {
  const store = await MemoryStore.open({ evictionIntervalMs: 60_000 });
  t.teardown(() => store.close());
  const down = () => Promise.reject(new GatewayError('LG_ERR_REGISTRY_UNAVAILABLE', { reason: 'etcd deadline exceeded' }));
  const unavailable = new Proxy(store, { get: (target, property, receiver) => (['getInstance', 'putInstance', 'renewInstance', 'deleteInstance'].includes(String(property)) ? down : Reflect.get(target, property, receiver)) });
  const mirror = new RegistryMirror(unavailable, 180_000, createLogger('silent'));
  await mirror.start();
  const app = Fastify();
  eurekaAdminModule({ reads: new EurekaReads(mirror), writes: new EurekaWrites(unavailable, mirror, { leaseSeconds: 90 }) })(app);
  t.teardown(() => app.close());
  for (const [method, url] of [['PUT', '/eureka/apps/FOO/foo-1'], ['DELETE', '/eureka/apps/FOO/foo-1'], ['PUT', '/eureka/apps/FOO/foo-1/status?value=UP']] as const) {
    const answer = await app.inject({ method, url });
    t.equal(answer.statusCode, 503, `${method} ${url}`);
    t.equal(answer.json().data.code, 'LG_ERR_REGISTRY_UNAVAILABLE');
  }
  const registration = await app.inject({ method: 'POST', url: '/eureka/apps/foo', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ instance: { app: 'foo', hostName: 'h', ipAddr: '1.2.3.4', port: 1, dataCenterInfo: { name: 'MyOwn' } } }) });
  t.equal(registration.statusCode, 503);
  t.equal((await app.inject({ method: 'GET', url: '/eureka/apps' })).statusCode, 200, 'reads are served from the last known state');
});
