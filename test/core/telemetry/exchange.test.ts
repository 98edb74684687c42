/** Request ids and W3C trace context through a real gateway: what the upstream and the client see. */
import t, { type Test } from 'tap';
import WebSocket from 'ws';
import { startGateway, type TestGateway } from '../../helpers/gateway.js';
import { startUpstream, type Upstream } from '../../helpers/upstream.js';
import { startWsUpstream } from '../../helpers/ws-upstream.js';
import { eventually } from '../../helpers/eureka.js';
import { TEST_AUTH_FILES, TEST_AUTH_YAML } from '../../helpers/test-auth.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const PATH = '/api/rest_j/v1/svc/list';

async function gateway(t: Test, extra = ''): Promise<{ gw: TestGateway; upstream: Upstream }> {
  const upstream = await startUpstream('svc');
  t.teardown(() => upstream.close());
  const gw = await startGateway(t, `registry: { static: [{ app: svc, instances: ["${upstream.hostPort}"] }] }
security: { passThrough: ["^/api/"] }
parsers: [ { use: rules, options: { rules: [ { name: svc, match: "^/api/rest_j/v1/svc/.+$", application: svc } ] } } ]
${extra}`);
  return { gw, upstream };
}

t.test('a safe x-request-id is sent upstream and answered back unchanged', async (t) => {
  const { gw, upstream } = await gateway(t);
  const answer = await gw.request(PATH, { headers: { 'x-request-id': 'client-42.a:b' } });
  t.equal(answer.headers['x-request-id'], 'client-42.a:b');
  t.equal(upstream.received[0]!.headers['x-request-id'], 'client-42.a:b');
});

t.test('without an id, one is generated; the upstream and the client get the same one', async (t) => {
  const { gw, upstream } = await gateway(t);
  const answer = await gw.request(PATH);
  t.match(answer.headers['x-request-id'], UUID);
  t.equal(upstream.received[0]!.headers['x-request-id'], answer.headers['x-request-id']);
});

t.test('an unsafe or overlong x-request-id is replaced, never forwarded', async (t) => {
  const { gw, upstream } = await gateway(t);
  for (const bad of ['x'.repeat(129), 'two words', '"quoted"', 'a;b=c']) {
    const answer = await gw.request(PATH, { headers: { 'x-request-id': bad } });
    t.match(answer.headers['x-request-id'], UUID, bad);
    t.equal(upstream.received.at(-1)!.headers['x-request-id'], answer.headers['x-request-id']);
  }
  t.notOk(upstream.received.some((r) => r.headers['x-request-id'] === 'two words'));
});

t.test('errors the gateway answers itself carry the request id too', async (t) => {
  const { gw } = await gateway(t);
  const answer = await gw.request('/api/rest_j/v1/svc/a%5Cb', { headers: { 'x-request-id': 'err-1' } });
  t.equal(answer.status, 400);
  t.equal(answer.headers['x-request-id'], 'err-1');
});

t.test('a valid traceparent and its tracestate are forwarded unchanged; an invalid one is dropped with its tracestate', async (t) => {
  const { gw, upstream } = await gateway(t);
  await gw.request(PATH, { headers: { traceparent: TRACEPARENT, tracestate: 'vendor=abc' } });
  t.equal(upstream.received[0]!.headers.traceparent, TRACEPARENT);
  t.equal(upstream.received[0]!.headers.tracestate, 'vendor=abc');
  await gw.request(PATH, { headers: { traceparent: '00-zz-bad-01', tracestate: 'vendor=abc' } });
  t.equal(upstream.received[1]!.headers.traceparent, undefined);
  t.equal(upstream.received[1]!.headers.tracestate, undefined);
  await gw.request(PATH);
  t.equal(upstream.received[2]!.headers.traceparent, undefined, 'none is started unless tracing.generate is on');
});

t.test('with tracing.generate a request without a trace starts a sampled one', async (t) => {
  const { gw, upstream } = await gateway(t, 'tracing: { generate: true }\n');
  await gw.request(PATH);
  await gw.request(PATH, { headers: { traceparent: TRACEPARENT } });
  t.match(upstream.received[0]!.headers.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  t.equal(upstream.received[1]!.headers.traceparent, TRACEPARENT, 'an existing trace is continued, not replaced');
});

t.test('WebSocket handshakes to instances carry the request id and trace context', async (t) => {
  const upstream = await startWsUpstream('ws');
  t.teardown(() => upstream.close());
  const gw = await startGateway(t, `${TEST_AUTH_YAML}registry: { static: [{ app: linkis-cg-entrance, instances: ["${upstream.hostPort}"] }] }\n`, { files: TEST_AUTH_FILES });
  const socket = new WebSocket(`${gw.gateway.url.replace('http', 'ws')}/ws/api/entrance/connect`, {
    headers: { 'x-test-user': 'alice', 'x-request-id': 'ws-1', traceparent: TRACEPARENT },
  });
  t.teardown(() => socket.terminate());
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ method: '/api/rest_j/v1/entrance/execute', data: {} }));
  await eventually(() => upstream.connections.length === 1, 5000, 'the upstream handshake');
  t.equal(upstream.connections[0]!.headers['x-request-id'], 'ws-1');
  t.equal(upstream.connections[0]!.headers.traceparent, TRACEPARENT);
});
