/**
 * Linkis's instance-label API on the public listener (spec linkis.md §7.2, acceptance 49),
 * authenticated by the test-only auth plugin (test/helpers/test-auth.ts).
 */
import t from 'tap';
import { startGateway, type TestGateway } from '../../helpers/gateway.js';
import { register, registration } from '../../helpers/eureka.js';
import { AS_ADMIN, AS_USER, TEST_AUTH_FILES, TEST_AUTH_YAML } from '../../helpers/test-auth.js';
import { startUpstream } from '../../helpers/upstream.js';

const BASE = '/api/rest_j/v1/microservice';

async function gateway(t: { teardown(fn: () => unknown): void }, extra = ''): Promise<TestGateway> {
  return startGateway(t, TEST_AUTH_YAML + extra, { files: TEST_AUTH_FILES });
}

function instanceLabel(gw: TestGateway, body: unknown, headers: Record<string, string> = AS_ADMIN) {
  return gw.request(`${BASE}/instanceLabel`, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

t.test('49: an admin replaces labels with the Linkis body shape; unlabelled submits then avoid the instance', async (t) => {
  const e1 = await startUpstream('e1');
  const e2 = await startUpstream('e2');
  t.teardown(() => Promise.all([e1.close(), e2.close()]));
  const gw = await gateway(t, 'router: { use: label, options: { serverList: [linkis-cg-entrance] } }\n');
  for (const e of [e1, e2]) await register(gw, 'linkis-cg-entrance', registration('linkis-cg-entrance', e.hostPort, e.port));
  const answer = await instanceLabel(gw, { applicationName: 'linkis-cg-entrance', instance: e2.hostPort, labels: [{ labelKey: 'route', stringValue: 'et2' }, { labelKey: 'notModifiable', stringValue: 'x' }] });
  t.equal(answer.status, 200);
  t.match(answer.json(), { status: 0, message: 'success', data: { labels: [{ labelKey: 'route', stringValue: 'et2' }] } }, 'unmodifiable keys are dropped as in Linkis');
  for (let i = 0; i < 20; i++) {
    const submit = await gw.request('/api/rest_j/v1/entrance/submit', { method: 'POST', headers: { 'content-type': 'application/json', ...AS_USER }, body: '{}' });
    t.equal(submit.json().upstream, 'e1');
  }
});

t.test('instanceLabel refuses bad values, repeated keys, bad bodies and non-admins with coded errors', async (t) => {
  const gw = await gateway(t);
  const base = { applicationName: 'linkis-cg-entrance', instance: '10.0.0.1:9104' };
  const code = async (body: unknown, headers?: Record<string, string>) => (await instanceLabel(gw, body, headers)).json().data.code;
  t.equal(await code({ ...base, labels: [{ labelKey: 'route', stringValue: 'et-1' }] }), 'LG_ERR_LABEL_INVALID', 'Linkis refuses "-" too');
  t.equal(await code({ ...base, labels: [{ labelKey: 'route', stringValue: 'a' }, { labelKey: 'route', stringValue: 'b' }] }), 'LG_ERR_LABEL_BAD_REQUEST');
  t.equal(await code({ ...base, labels: 'route=a' }), 'LG_ERR_LABEL_BAD_REQUEST');
  t.equal(await code({ ...base, instance: 'nope', labels: [] }), 'LG_ERR_LABEL_BAD_REQUEST');
  t.equal(await code({ ...base, applicationName: '', labels: [] }), 'LG_ERR_LABEL_BAD_REQUEST');
  t.equal(await code('{"applicationName":'), 'LG_ERR_BODY_MALFORMED_JSON');
  t.equal(await code('null'), 'LG_ERR_LABEL_BAD_REQUEST');
  const user = await instanceLabel(gw, { ...base, labels: [] }, AS_USER);
  t.equal(user.status, 403);
  t.equal(user.json().data.code, 'LG_ERR_ADMIN_REQUIRED');
  const anonymous = await instanceLabel(gw, { ...base, labels: [] }, {});
  t.equal(anonymous.status, 401);
  const get = await gw.request(`${BASE}/instanceLabel`, { headers: AS_ADMIN });
  t.equal(get.json().data.code, 'LG_ERR_METHOD_NOT_ALLOWED');
  t.same((await gw.admin('/admin/labels')).json().data.labels, [], 'nothing stored');
});

t.test('allInstance lists every instance with its labels in Linkis form, for admins only', async (t) => {
  const gw = await gateway(t, 'registry: { static: [{ app: linkis-ps-publicservice, instances: ["10.0.0.9:9105"] }] }\n');
  await register(gw, 'linkis-cg-entrance', registration('linkis-cg-entrance', 'e1', 9104, { metadata: { route: 'et1' } }));
  const answer = await gw.request(`${BASE}/allInstance`, { headers: AS_ADMIN });
  t.equal(answer.status, 200);
  const instances = answer.json().data.instances;
  t.match(instances.find((i: any) => i.instance === '127.0.0.1:9104'), { applicationName: 'LINKIS-CG-ENTRANCE', labels: [{ labelKey: 'route', stringValue: 'et1' }] });
  t.type(instances.find((i: any) => i.instance === '127.0.0.1:9104').createTime, 'number');
  t.match(instances.find((i: any) => i.instance === '10.0.0.9:9105'), { applicationName: 'linkis-ps-publicservice', labels: [], createTime: null });
  const user = await gw.request(`${BASE}/allInstance`, { headers: AS_USER });
  t.equal(user.status, 403);
});

t.test('modifiableLabelKey and serviceInstances answer any logged-in user', async (t) => {
  const gw = await gateway(t);
  await register(gw, 'linkis-cg-entrance', registration('linkis-cg-entrance', 'e1', 9104, { metadata: { 'linkis.app.version': '1.9.0' } }));
  await register(gw, 'linkis-ps-publicservice', registration('linkis-ps-publicservice', 'p1', 9105, { hostName: 'ps-host', ipAddr: '10.0.0.5' }));
  const keys = await gw.request(`${BASE}/modifiableLabelKey`, { headers: AS_USER });
  t.same(keys.json().data.keyList, ['route', 'tenant', 'yarnCluster', 'userCreator', 'fixedEngineConn', 'engingeConnRuntimeMode']);
  const ids = async (query: string) => (await gw.request(`${BASE}/serviceInstances${query}`, { headers: AS_USER })).json().data.list.map((i: any) => i.instanceId).sort();
  t.same(await ids(''), ['e1', 'p1']);
  t.same(await ids('?serviceName=linkis-cg-entrance'), ['e1']);
  t.same(await ids('?ip=10.0.0.5'), ['p1']);
  t.same(await ids('?hostName=ps-host'), ['p1']);
  t.same(await ids('?version=1.9.0'), ['e1']);
  t.equal((await gw.request(`${BASE}/modifiableLabelKey`)).status, 401, 'login needed');
});
