import t from 'tap';
import { startGateway, type TestGateway } from '../../helpers/gateway.js';
import { register, registration } from '../../helpers/eureka.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

function put(gw: TestGateway, path: string, body: string, headers: Record<string, string> = {}) {
  return gw.admin(path, { method: 'PUT', headers: { ...JSON_HEADERS, ...headers }, body });
}

t.test('PUT replaces an instance\'s labels, GET reads them, DELETE removes them', async (t) => {
  const gw = await startGateway(t, '');
  const path = '/admin/labels/linkis-cg-entrance/10.0.0.1:9104';
  const first = await put(gw, path, '{"route": "et1", "tenant": "acme"}');
  t.equal(first.status, 200);
  t.same(first.json().data.labels, { route: 'et1', tenant: 'acme' });
  await put(gw, path, '{"route": "et2"}');
  t.same((await gw.admin(path)).json().data.labels, { route: 'et2' }, 'replaced, not merged');
  t.same((await gw.admin('/admin/labels/LINKIS-CG-ENTRANCE/10.0.0.1:9104')).json().data.labels, { route: 'et2' }, 'app names are case-insensitive');
  t.equal((await gw.admin(path, { method: 'DELETE' })).status, 200);
  const gone = await gw.admin(path);
  t.equal(gone.status, 404);
  t.equal(gone.json().data.code, 'LG_ERR_LABEL_NOT_FOUND');
  t.equal((await gw.admin(path, { method: 'DELETE' })).status, 404, 'deleting twice');
  await put(gw, path, '{"route": "et3"}');
  await put(gw, path, '{}');
  t.equal((await gw.admin(path)).status, 404, 'an empty set removes the entry');
});

t.test('GET /admin/labels lists entries and marks labels of unregistered instances as orphans', async (t) => {
  const gw = await startGateway(t, '');
  await register(gw, 'svc', registration('svc', 's-1', 9001));
  await put(gw, '/admin/labels/svc/127.0.0.1:9001', '{"route": "a"}');
  await put(gw, '/admin/labels/svc/127.0.0.1:9999', '{"route": "b"}');
  const labels = (await gw.admin('/admin/labels')).json().data.labels;
  t.match(labels, [
    { app: 'svc', instance: '127.0.0.1:9001', labels: { route: 'a' }, orphan: false },
    { app: 'svc', instance: '127.0.0.1:9999', labels: { route: 'b' }, orphan: true },
  ]);
});

t.test('GET /admin/instances lists every source with effective labels, leases and the orphan labels', async (t) => {
  const gw = await startGateway(t, 'registry: { static: [{ app: linkis-ps-publicservice, instances: ["10.0.0.9:9105"], labels: { route: "cs1" } }] }\n');
  await register(gw, 'svc', registration('svc', 's-1', 9001, { metadata: { route: 'et1' }, leaseInfo: { durationInSecs: 60 } }));
  await put(gw, '/admin/labels/svc/127.0.0.1:9001', '{"tenant": "acme"}');
  await put(gw, '/admin/labels/gone/127.0.0.1:1', '{"route": "x"}');
  const data = (await gw.admin('/admin/instances')).json().data;
  const byInstance = Object.fromEntries(data.instances.map((i: any) => [i.instance, i]));
  t.match(byInstance['127.0.0.1:9001'], { app: 'SVC', id: 's-1', source: 'eureka', status: 'UP', labels: { route: 'et1', tenant: 'acme' }, operatorLabels: { tenant: 'acme' }, lease: { ttlSeconds: 60 } });
  t.type(byInstance['127.0.0.1:9001'].lease.expiresAt, 'string');
  t.match(byInstance['10.0.0.9:9105'], { source: 'static', labels: { route: 'cs1' }, lease: null });
  t.match(data.orphanLabels, [{ app: 'gone', instance: '127.0.0.1:1', orphan: true }]);
});

t.test('bad label requests are coded 400s and change nothing', async (t) => {
  const gw = await startGateway(t, '');
  const path = '/admin/labels/svc/10.0.0.1:9104';
  const cases: [string, string, string][] = [
    ['a value with "-"', '{"route": "et-1"}', 'LG_ERR_LABEL_INVALID'],
    ['a value with a space', '{"route": "et 1"}', 'LG_ERR_LABEL_INVALID'],
    ['markup', '{"route": "<b>x</b>"}', 'LG_ERR_LABEL_INVALID'],
    ['a number', '{"route": 1}', 'LG_ERR_LABEL_INVALID'],
    ['an empty value', '{"route": ""}', 'LG_ERR_LABEL_INVALID'],
    ['an unknown key', '{"colour": "red"}', 'LG_ERR_LABEL_INVALID'],
    ['an array', '["route"]', 'LG_ERR_LABEL_BAD_REQUEST'],
    ['not JSON', '{"route":', 'LG_ERR_ADMIN_BAD_REQUEST'],
  ];
  for (const [why, body, code] of cases) {
    const answer = await put(gw, path, body);
    t.equal(answer.status, 400, why);
    t.equal(answer.json().data.code, code, why);
  }
  t.equal((await put(gw, '/admin/labels/svc/not-an-instance', '{"route": "a"}')).json().data.code, 'LG_ERR_LABEL_BAD_REQUEST', 'instance must be host:port');
  t.equal((await put(gw, '/admin/labels/sv%20c/10.0.0.1:9104', '{"route": "a"}')).json().data.code, 'LG_ERR_LABEL_BAD_REQUEST', 'bad application name');
  t.equal((await gw.admin('/admin/labels/svc')).status, 404);
  t.equal((await gw.admin(path, { method: 'POST', headers: JSON_HEADERS, body: '{}' })).status, 405);
  t.same((await gw.admin('/admin/labels')).json().data.labels, []);
});

t.test('with admin.token set, the label and instance APIs need the bearer token', async (t) => {
  const gw = await startGateway(t, 'admin: { host: 127.0.0.1, port: 0, token: s3cret }\n');
  t.equal((await gw.admin('/admin/labels')).status, 401);
  t.equal((await put(gw, '/admin/labels/svc/10.0.0.1:1', '{"route": "a"}')).status, 401);
  t.equal((await gw.admin('/admin/instances')).status, 401);
  t.equal((await put(gw, '/admin/labels/svc/10.0.0.1:1', '{"route": "a"}', { authorization: 'Bearer s3cret' })).status, 200);
});
