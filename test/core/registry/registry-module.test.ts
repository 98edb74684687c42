/**
 * Label routing end to end: instances registered through the Eureka API, labels from their
 * metadata and from the label API, requests through the public listener to real upstreams
 * (spec linkis.md acceptance 41, 44–48; eureka-and-etcd.md §9 behaviour 31).
 */
import t from 'tap';
import path from 'node:path';
import { encodeExecId } from '../../../plugins/parsers/exec-id.js';
import { makeTempDir, startGateway, type TestGateway } from '../../helpers/gateway.js';
import { eureka, eventually, register, registration } from '../../helpers/eureka.js';
import { startUpstream, type Upstream } from '../../helpers/upstream.js';

const ENTRANCE = 'linkis-cg-entrance';
const SUBMIT = '/api/rest_j/v1/entrance/submit';
const CONFIG = `
security: { passThrough: ["^/api/rest_j/v1/entrance/"] }
parsers: [{ use: entrance-execution }, { use: entrance-request }, { use: linkis-default }]
router: { use: label, options: { serverList: [${ENTRANCE}] } }
`;

async function entrances(t: { teardown(fn: () => unknown): void }, names: string[]): Promise<Upstream[]> {
  const upstreams = await Promise.all(names.map((name) => startUpstream(name)));
  t.teardown(() => Promise.all(upstreams.map((upstream) => upstream.close())));
  return upstreams;
}

async function registerEntrance(gw: TestGateway, upstream: Upstream, fields: Record<string, unknown> = {}): Promise<void> {
  const answer = await register(gw, ENTRANCE, registration(ENTRANCE, upstream.hostPort, upstream.port, fields));
  if (answer.status !== 204) throw new Error(`registration answered ${answer.status}: ${answer.text}`);
}

/** Where a submit went: the upstream's name, or the error code. */
async function submit(gw: TestGateway, route?: string): Promise<string> {
  const body = JSON.stringify({ executionContent: { code: 'show tables' }, ...(route === undefined ? {} : { labels: { route } }) });
  const answer = await gw.request(SUBMIT, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const json = answer.json();
  return json.upstream ?? json.data?.code ?? `HTTP ${answer.status}`;
}

async function submits(gw: TestGateway, times: number, route?: string): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < times; i++) seen.add(await submit(gw, route));
  return seen;
}

function putLabels(gw: TestGateway, instance: string, labels: Record<string, string>) {
  return gw.admin(`/admin/labels/${ENTRANCE}/${instance}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(labels) });
}

t.test('44, 45: over 100 submits each, unlabelled ones reach only the untagged entrance and route=et1 only the tagged one', async (t) => {
  const gw = await startGateway(t, CONFIG);
  const [e1, e2] = await entrances(t, ['e1', 'e2']);
  await registerEntrance(gw, e1!, { metadata: { route: 'et1' } });
  await registerEntrance(gw, e2!);
  t.same([...await submits(gw, 100)], ['e2']);
  t.same([...await submits(gw, 100, 'et1')], ['e1']);
});

t.test('46, 47: an unknown label is 11011 (HTTP 503); with every entrance labelled, unlabelled submits are 11011', async (t) => {
  const gw = await startGateway(t, CONFIG);
  const [e1] = await entrances(t, ['e1']);
  await registerEntrance(gw, e1!, { metadata: { route: 'et1' } });
  const answer = await gw.request(SUBMIT, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"labels":{"route":"nope"}}' });
  t.equal(answer.status, 503);
  t.equal(answer.json().data.errCode, 11011);
  t.equal(await submit(gw), 'LG_ERR_ROUTE_NO_LABELLED_INSTANCE');
});

t.test('31: a label set through the label API routes on the next request and outlives de- and re-registration', async (t) => {
  const gw = await startGateway(t, CONFIG);
  const [e1, e2] = await entrances(t, ['e1', 'e2']);
  await registerEntrance(gw, e1!);
  await registerEntrance(gw, e2!);
  t.equal(await submit(gw, 'et2'), 'LG_ERR_ROUTE_NO_LABELLED_INSTANCE');
  t.equal((await putLabels(gw, e2!.hostPort, { route: 'et2' })).status, 200);
  t.same([...await submits(gw, 20, 'et2')], ['e2'], 'eligible at once, registration untouched');
  t.same([...await submits(gw, 20)], ['e1'], 'and out of default traffic');
  t.equal((await eureka(gw, 'DELETE', `/eureka/apps/LINKIS-CG-ENTRANCE/${e2!.hostPort}`)).status, 200);
  t.equal(await submit(gw, 'et2'), 'LG_ERR_ROUTE_NO_LIVE_INSTANCE', '48: labelled but not registered: 11012, retry');
  await registerEntrance(gw, e2!);
  t.same([...await submits(gw, 20, 'et2')], ['e2'], 'the label came back with the instance');
});

t.test('label-store labels win over registration metadata, key by key', async (t) => {
  const gw = await startGateway(t, CONFIG);
  const [e1, e2] = await entrances(t, ['e1', 'e2']);
  await registerEntrance(gw, e1!, { metadata: { route: 'et1' } });
  await registerEntrance(gw, e2!);
  await putLabels(gw, e1!.hostPort, { route: 'et3' });
  t.equal(await submit(gw, 'et1'), 'LG_ERR_ROUTE_NO_LABELLED_INSTANCE');
  t.equal(await submit(gw, 'et3'), 'e1');
  await putLabels(gw, e1!.hostPort, { tenant: 'acme' });
  t.equal(await submit(gw, 'et1'), 'e1', 'a tenant label leaves the metadata route in place');
  await gw.admin(`/admin/labels/${ENTRANCE}/${e1!.hostPort}`, { method: 'DELETE' });
  await eureka(gw, 'PUT', `/eureka/apps/LINKIS-CG-ENTRANCE/${e1!.hostPort}/metadata?route=et4`);
  t.equal(await submit(gw, 'et4'), 'e1', 'a metadata update changes the route label too');
});

t.test('graceful offline: route=offline leaves default traffic while exec IDs and ?instance= still reach it', async (t) => {
  const gw = await startGateway(t, CONFIG);
  const [e1, e2, e3] = await entrances(t, ['e1', 'e2', 'e3']);
  for (const upstream of [e1!, e2!, e3!]) await registerEntrance(gw, upstream);
  t.same([...await submits(gw, 60)].sort(), ['e1', 'e2', 'e3']);
  await putLabels(gw, e2!.hostPort, { route: 'offline' });
  t.same([...await submits(gw, 60)].sort(), ['e1', 'e3'], 'no new jobs for e2');
  const execId = encodeExecId(ENTRANCE, e2!.hostPort, 'IDE_alice_shell_0');
  const status = await gw.request(`/api/rest_j/v1/entrance/${execId}/status`);
  t.equal(status.json().upstream, 'e2', 'its running jobs still reach it');
  const operation = await gw.request(`/api/rest_j/v1/entrance/operation/label/markoffline?instance=${e2!.hostPort}`);
  t.equal(operation.json().upstream, 'e2', '41: ?instance= pins the operation');
  await gw.admin(`/admin/labels/${ENTRANCE}/${e2!.hostPort}`, { method: 'DELETE' });
  await eventually(async () => (await submits(gw, 30)).has('e2'), 10_000, 'back online');
  t.pass('back in default traffic');
});

t.test('registrations and cancels change routing on the next request; expired leases leave it', async (t) => {
  const gw = await startGateway(t, `${CONFIG}registry: { eureka: { evictionInterval: 200ms } }\n`);
  const [e1, e2] = await entrances(t, ['e1', 'e2']);
  await registerEntrance(gw, e1!);
  await registerEntrance(gw, e2!, { metadata: { route: 'fresh' } });
  t.equal(await submit(gw, 'fresh'), 'e2', 'routable as soon as the registration was answered');
  await eureka(gw, 'DELETE', `/eureka/apps/LINKIS-CG-ENTRANCE/${e2!.hostPort}`);
  t.equal(await submit(gw, 'fresh'), 'LG_ERR_ROUTE_NO_LABELLED_INSTANCE', 'gone as soon as the cancel was answered');
  await registerEntrance(gw, e2!, { metadata: { route: 'brief' }, leaseInfo: { durationInSecs: 2 } });
  t.equal(await submit(gw, 'brief'), 'e2');
  await eventually(async () => (await submit(gw, 'brief')) === 'LG_ERR_ROUTE_NO_LABELLED_INSTANCE', 10_000, 'lease expiry');
  t.pass('expired out of routing');
});

t.test('an OUT_OF_SERVICE instance gets no traffic; lifting the override brings it back', async (t) => {
  const gw = await startGateway(t, CONFIG);
  const [e1, e2] = await entrances(t, ['e1', 'e2']);
  await registerEntrance(gw, e1!);
  await registerEntrance(gw, e2!);
  await eureka(gw, 'PUT', `/eureka/apps/LINKIS-CG-ENTRANCE/${e2!.hostPort}/status?value=OUT_OF_SERVICE`);
  t.same([...await submits(gw, 30)], ['e1']);
  await eureka(gw, 'DELETE', `/eureka/apps/LINKIS-CG-ENTRANCE/${e2!.hostPort}/status?value=UP`);
  await eventually(async () => (await submits(gw, 30)).has('e2'), 10_000, 'back in service');
  t.pass('back');
});

t.test('labels survive a gateway restart (labels.file) and apply to static instances too', async (t) => {
  const dir = await makeTempDir();
  const labelsFile = path.join(dir, 'labels.json');
  const [e1, e2] = await entrances(t, ['e1', 'e2']);
  const yaml = `${CONFIG}labels: { file: ${JSON.stringify(labelsFile)} }\nregistry: { static: [{ app: ${ENTRANCE}, instances: ["${e1!.hostPort}", "${e2!.hostPort}"] }] }\n`;
  const first = await startGateway(t, yaml);
  await putLabels(first, e1!.hostPort, { route: 'et1' });
  t.same([...await submits(first, 20, 'et1')], ['e1']);
  await first.close();
  const second = await startGateway(t, yaml);
  t.same([...await submits(second, 20, 'et1')], ['e1'], 'still routed by the label after the restart');
  t.same([...await submits(second, 20)], ['e2']);
  const listed = (await second.admin('/admin/labels')).json().data.labels;
  t.match(listed, [{ app: ENTRANCE, instance: e1!.hostPort, labels: { route: 'et1' }, orphan: false }]);
});

t.test('/readyz answers ready once the registry is synced', async (t) => {
  const gw = await startGateway(t, CONFIG);
  t.same((await gw.admin('/readyz')).json(), { ready: true });
});
