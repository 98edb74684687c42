/** spec/linkis.md acceptance behaviours 55–58: the RPC endpoint and sender as Linkis has them. */
import t from 'tap';
import { MessageRegistry } from '../../../core/rpc/index.js';
import { httpRequest } from '../../helpers/http.js';
import { closedPort, startUpstream } from '../../helpers/upstream.js';
import { startReceiver, testNode } from '../../helpers/rpc.js';

const schema = { type: 'object', properties: { q: { type: 'string' } } };

t.test('55: replyInMills without data.duration answers status 1 with errorMsg.errCode 10002', async (t) => {
  const messages = new MessageRegistry();
  messages.define('test.Q', { schema });
  let ran = false;
  const receiver = await startReceiver(t, messages, { receiveAndReply: () => void (ran = true) });
  const answer = await httpRequest(`${receiver.url}/api/rest_j/v1/rpc/replyInMills`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ method: '/rpc/message', status: 0, message: 'RPC Message.', data: { rpc_object_class: 'test.Q', rpc_object_value: '{}', name: 'x', instance: '' } }),
  });
  t.match(answer.json(), { status: 1, message: 'errCode: 10002 ,desc: The timeout period is not set!', data: { errorMsg: { errCode: 10002 }, code: 'LG_ERR_RPC_TIMEOUT_NOT_SET' } });
  t.notOk(ran);
});

t.test('56: a status 1 reply with errorMsg makes ask throw that code; status 0 with empty data resolves to void', async (t) => {
  const messages = new MessageRegistry();
  const Q = messages.define<{ q: string }>('test.Q', { schema });
  const scripted = await startUpstream('linkis', (req, res, body) => {
    const failing = JSON.parse(body.toString()).data.rpc_object_value.includes('fail');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(failing
      ? { method: req.url, status: 1, message: 'failed', data: { errorMsg: { errCode: 11111, desc: 'engine is busy', level: 2 } } }
      : { method: req.url, status: 0, message: '', data: {} }));
  });
  t.teardown(() => scripted.close());
  const node = testNode(t, { messages });
  await t.rejects(node.sender(scripted.hostPort).ask(Q({ q: 'fail' })), { name: 'RemoteError', errCode: 11111, message: 'errCode: 11111 ,desc: engine is busy', remote: scripted.hostPort });
  t.equal(await node.sender(scripted.hostPort).ask(Q({ q: 'ok' })), undefined);
  t.equal(scripted.received[0]!.url, '/api/rest_j/v1/rpc/receiveAndReply');
  const withoutErrorMsg = await startUpstream('bare', (_req, res) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: null, status: 1, message: 'it broke', data: {} }));
  });
  t.teardown(() => withoutErrorMsg.close());
  await t.rejects(node.sender(withoutErrorMsg.hostPort).ask(Q({ q: 'x' })), { code: 'LG_ERR_RPC_REMOTE_FAILED', errCode: 10005, message: /it broke/ });
});

t.test('57: a retryable ask against a refusing endpoint, base 100 ms and 3 attempts, tries 3 times, waiting about 100 ms then 150 ms', async (t) => {
  const messages = new MessageRegistry();
  const Q = messages.define<{ q: string }>('test.Q', { schema, retryable: { attempts: 3, baseMs: 100 } });
  const at: number[] = [];
  const node = testNode(t, { messages, interceptors: [{ name: 'clock', priority: 0, wrap: (next) => (invocation) => (at.push(performance.now()), next(invocation)) }] });
  await t.rejects(node.sender(`127.0.0.1:${await closedPort()}`).ask(Q({ q: 'x' })), { code: 'LG_ERR_RPC_CONNECT' });
  t.equal(at.length, 3, 'exactly three attempts');
  t.ok(at[1]! - at[0]! >= 95, `first wait ≈ 100 ms (${Math.round(at[1]! - at[0]!)})`);
  t.ok(at[2]! - at[1]! >= 142, `second wait ≈ 150 ms (${Math.round(at[2]! - at[1]!)})`);
});

t.test('58: a cacheable ask repeated within the expiry hits the network once; after idling past it, again', async (t) => {
  const messages = new MessageRegistry();
  const Q = messages.define<{ q: string }>('test.Q', { schema, cacheable: { expireMs: 300 } });
  let hits = 0;
  const receiver = await startReceiver(t, messages, { receiveAndReply: (message) => (hits++, message) });
  const node = testNode(t, { messages });
  for (let i = 0; i < 3; i++) t.same(await node.sender(receiver.instance).ask(Q({ q: 'x' })), Q({ q: 'x' }));
  t.equal(hits, 1);
  await new Promise((resolve) => setTimeout(resolve, 600));
  await node.sender(receiver.instance).ask(Q({ q: 'x' }));
  t.equal(hits, 2);
});
