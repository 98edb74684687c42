/** Routing by each built-in parser, through a real gateway to real upstreams. */
import t, { type Test } from 'tap';
import { startGateway, staticRegistry } from '../../helpers/gateway.js';
import { startUpstream, type Upstream } from '../../helpers/upstream.js';
import { encodeExecId } from '../../../plugins/parsers/exec-id.js';

const OPEN = 'security: { passThrough: ["^/"] }\n';

async function upstreams(t: Test, names: string[]): Promise<Record<string, Upstream>> {
  const result: Record<string, Upstream> = {};
  for (const name of names) {
    result[name] = await startUpstream(name);
    t.teardown(() => result[name]!.close());
  }
  return result;
}

t.test('linkis-default and rules route by service id and by regex', async (t) => {
  const up = await upstreams(t, ['ps', 'ds', 'lm', 'ecm', 'history']);
  const gw = await startGateway(t, OPEN + staticRegistry({
    'linkis-ps-publicservice': [up.ps!], 'linkis-ps-datasource': [up.ds!], 'linkis-cg-linkismanager': [up.lm!],
    'linkis-cg-engineconnmanager': [up.ecm!], 'history-svc': [up.history!],
  }) + `parsers:
  - use: rules
    options:
      rules:
        - { name: history, match: "^/api/rest_j/v1/jobhistory/(?<rest>.+)$", application: history-svc }
  - use: linkis-default
`);
  const hit = async (path: string) => (await gw.request(path)).json().upstream;
  t.equal(await hit('/api/rest_j/v1/jobhistory/list'), 'history', 'a rule wins over the fallback');
  t.equal(await hit('/api/rest_j/v1/udf/all'), 'ps', 'publicservice id list');
  t.equal(await hit('/api/rest_j/v1/metadataQuery/x'), 'ps', 'metadataQuery is in the publicservice list first');
  t.equal(await hit('/api/rest_j/v1/metadataquery/x'), 'ds', 'lower-case metadataquery only in the datasource list');
  t.equal(await hit('/api/rest_j/v1/linkisManager/listAllEMs'), 'lm');
  t.equal(await hit('/api/rest_j/v1/engineplugin/x'), 'lm');
  t.equal(await hit('/api/rest_j/v1/engineconnManager/foo'), 'ecm', 'resolved exactly through the linkis-cg- prefix');
  const received = up.history!.received.at(-1)!;
  t.equal(received.url, '/api/rest_j/v1/jobhistory/list', 'the path is forwarded unchanged');
});

t.test('routing errors are envelopes with Linkis codes and HTTP statuses', async (t) => {
  const up = await upstreams(t, ['ps']);
  const gw = await startGateway(t, OPEN + staticRegistry({ 'linkis-ps-publicservice': [up.ps!] }));
  const noApp = await gw.request('/api/rest_j/v1/nosuchsvc/x');
  t.equal(noApp.status, 404);
  t.equal(noApp.headers['content-type'], 'application/json;charset=UTF-8');
  t.match(noApp.json(), { method: '/api/rest_j/v1/nosuchsvc/x', status: 1, data: { code: 'LG_ERR_ROUTE_NO_APPLICATION', errCode: 10050 } });
  t.match(noApp.json().message, /errCode: 10050 ,desc: Application nosuchsvc does not exist any instances/);

  const v2 = await gw.request('/api/rest_j/v2/jobhistory/list');
  t.equal(v2.status, 400);
  t.equal(v2.json().message, 'The gatewayv1 not support version v2.');
  t.equal(v2.json().data.code, 'LG_ERR_PARSE_UNSUPPORTED_VERSION');

  const bare = await gw.request('/api/rest_j/v1/jobhistory');
  t.equal(bare.status, 404);
  t.equal(bare.json().message, 'Cannot find a service to deal /api/rest_j/v1/jobhistory, ignore it.');
  t.equal(up.ps!.received.length, 0, 'nothing reached the upstream');
});

t.test('compat.routingErrorsAsHttp200 answers routing errors with HTTP 200 and status 1, as Linkis does', async (t) => {
  const gw = await startGateway(t, OPEN + 'compat: { routingErrorsAsHttp200: true }\n');
  const answer = await gw.request('/api/rest_j/v1/nosuchsvc/x');
  t.equal(answer.status, 200);
  t.equal(answer.json().status, 1);
  t.equal(answer.json().data.errCode, 10050);
  const path = await gw.request('/a%2Fb');
  t.equal(path.status, 400, 'path errors are not routing errors');
});

t.test('11010 when a service id names two applications through the prefixes', async (t) => {
  const up = await upstreams(t, ['a', 'b']);
  const gw = await startGateway(t, OPEN + staticRegistry({ 'linkis-cg-foo': [up.a!], 'linkis-ps-foo': [up.b!] }));
  const answer = await gw.request('/api/rest_j/v1/foo/x');
  t.equal(answer.status, 409);
  t.equal(answer.json().data.errCode, 11010);
  t.match(answer.json().message, /Cannot find a correct serviceId for parsedServiceId:foo/);
});

t.test('entrance-request pins exec IDs to their instance, 100 times out of 100', async (t) => {
  const up = await upstreams(t, ['e1', 'e2']);
  const gw = await startGateway(t, OPEN + staticRegistry({ 'linkis-cg-entrance': [up.e1!, up.e2!] }));
  const execId = encodeExecId('linkis-cg-entrance', up.e1!.hostPort, 'IDE_alice_shell_0');
  for (let i = 0; i < 100; i++) {
    const answer = await gw.request(`/api/rest_j/v1/entrance/${execId}/status`);
    if (answer.json().upstream !== 'e1') t.fail(`request ${i} went to ${answer.json().upstream}`);
  }
  t.equal(up.e1!.received.length, 100);
  t.equal(up.e2!.received.length, 0);
});

t.test('an exec ID naming an unregistered instance is 10051; a numeric task id is a bad exec ID', async (t) => {
  const up = await upstreams(t, ['e1']);
  const gw = await startGateway(t, OPEN + staticRegistry({ 'linkis-cg-entrance': [up.e1!] }));
  const gone = await gw.request(`/api/rest_j/v1/entrance/${encodeExecId('linkis-cg-entrance', '127.0.0.1:1', 'x_y_z_0')}/status`);
  t.equal(gone.status, 503);
  t.equal(gone.json().data.errCode, 10051);
  const numeric = await gw.request('/api/rest_j/v1/entrance/12345/status');
  t.equal(numeric.status, 400);
  t.equal(numeric.json().data.code, 'LG_ERR_PARSE_BAD_EXEC_ID');
});

t.test('entrance operations go to the instance named by ?instance=', async (t) => {
  const up = await upstreams(t, ['e1', 'e2']);
  const gw = await startGateway(t, OPEN + staticRegistry({ 'linkis-cg-entrance': [up.e1!, up.e2!] }));
  for (let i = 0; i < 20; i++) {
    const answer = await gw.request(`/api/rest_j/v1/entrance/operation/label/markoffline?instance=${up.e2!.hostPort}`);
    t.equal(answer.json().upstream, 'e2');
  }
  t.equal(up.e2!.received.at(-1)!.url, `/api/rest_j/v1/entrance/operation/label/markoffline?instance=${up.e2!.hostPort}`);
});

t.test('entrance-execution routes submits by the route label in the JSON body', async (t) => {
  const up = await upstreams(t, ['tagged', 'plain']);
  const gw = await startGateway(t, OPEN + `registry:
  static:
    - { app: linkis-cg-entrance, instances: ["${up.tagged!.hostPort}"], labels: { route: et1 } }
    - { app: linkis-cg-entrance, instances: ["${up.plain!.hostPort}"] }
`);
  const submit = (body: unknown) => gw.request('/api/rest_j/v1/entrance/submit', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  for (let i = 0; i < 20; i++) {
    t.equal((await submit({ executionContent: { code: 'show tables' }, labels: { route: 'et1' } })).json().upstream, 'tagged');
    t.equal((await submit({ executionContent: { code: 'show tables' } })).json().upstream, 'plain');
  }
  const unknown = await submit({ labels: { route: 'nope' } });
  t.equal(unknown.status, 503);
  t.equal(unknown.json().data.errCode, 11011);
  const body = JSON.stringify({ labels: { route: 'et1' }, pad: 'x'.repeat(1000) });
  await gw.request('/api/rest_j/v1/entrance/submit', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  t.equal(up.tagged!.received.at(-1)!.bodyBytes, Buffer.byteLength(body), 'the body is forwarded whole');
  t.equal(up.tagged!.received.at(-1)!.headers['content-length'], String(Buffer.byteLength(body)));
});

t.test('a route label in a header or the query has no effect (only the JSON body counts)', async (t) => {
  const up = await upstreams(t, ['tagged', 'plain']);
  const gw = await startGateway(t, OPEN + `registry:
  static:
    - { app: linkis-cg-entrance, instances: ["${up.tagged!.hostPort}"], labels: { route: et1 } }
    - { app: linkis-cg-entrance, instances: ["${up.plain!.hostPort}"] }
`);
  const answer = await gw.request('/api/rest_j/v1/entrance/submit?labels=et1&route=et1', { method: 'POST', headers: { route: 'et1', 'content-type': 'application/json' }, body: '{}' });
  t.equal(answer.json().upstream, 'plain');
});
