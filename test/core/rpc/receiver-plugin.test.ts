/**
 * The receiver plugin: what it refuses before any receiver code runs, its deadline, its errors,
 * its queue (a real stock process with one slot and a queue of one) and its drain on close.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { MessageRegistry, ServiceError, type Message } from '../../../core/rpc/index.js';
import { startGateway } from '../../helpers/gateway.js';
import { httpRequest } from '../../helpers/http.js';
import { startReceiver, startStock, stockClient, stockStats, testNode } from '../../helpers/rpc.js';

function registry() {
  const messages = new MessageRegistry();
  const Job = messages.define<{ id: number; ms?: number }>('test.Job', {
    schema: { type: 'object', properties: { id: { type: 'integer' }, ms: { type: 'integer' } }, required: ['id'], additionalProperties: false },
  });
  return { messages, Job };
}

const post = (url: string, verb: string, body: unknown) => httpRequest(`${url}/api/rest_j/v1/rpc/${verb}`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body),
});
const envelope = (data: Record<string, unknown>) => ({ method: '/rpc/message', status: 0, message: 'RPC Message.', data });

t.test('unknown types, invalid values and malformed envelopes are refused before any receiver runs', async (t) => {
  const { messages } = registry();
  const calls: Message[] = [];
  const receiver = await startReceiver(t, messages, { receive: (m) => void calls.push(m), receiveAndReply: (m) => void calls.push(m) });
  const cases: [string, unknown, string][] = [
    ['receiveAndReply', envelope({ rpc_object_class: 'test.Nope', rpc_object_value: '{}' }), 'LG_ERR_RPC_UNKNOWN_TYPE'],
    ['receive', envelope({ rpc_object_class: 'test.Job', rpc_object_value: '{"id":"x"}' }), 'LG_ERR_RPC_INVALID_MESSAGE'],
    ['receive', envelope({ rpc_object_class: 'test.Job', rpc_object_value: '{"id":1,"extra":true}' }), 'LG_ERR_RPC_INVALID_MESSAGE'],
    ['receive', envelope({ rpc_object_class: 'test.Job', rpc_object_value: 'not json' }), 'LG_ERR_RPC_INVALID_MESSAGE'],
    ['receiveAndReply', envelope({ rpc_object_class: 'java.lang.Runtime', rpc_object_value: '{}' }), 'LG_ERR_RPC_UNKNOWN_TYPE'],
    ['receive', { method: '/rpc/message', status: 0 }, 'LG_ERR_RPC_BAD_REQUEST'],
    ['receive', '{not json', 'LG_ERR_RPC_BAD_REQUEST'],
    ['replyInMills', envelope({ rpc_object_class: 'test.Job', rpc_object_value: '{"id":1}', duration: -5 }), 'LG_ERR_RPC_BAD_REQUEST'],
  ];
  for (const [verb, body, code] of cases) {
    const answer = await post(receiver.url, verb, body);
    t.equal(answer.status, 400, `${code}: HTTP 400`);
    t.match(answer.json(), { status: 1, data: { code, received: false, retryable: false } }, code);
  }
  t.same(calls, [], 'no receiver ran');
  const ok = await post(receiver.url, 'receive', envelope({ rpc_object_class: 'test.Job', rpc_object_value: '{"id":7}', name: 'x', instance: '' }));
  t.same(ok.json(), { method: '/api/rest_j/v1/rpc/receive', status: 0, message: '', data: {} }, 'a good one is acknowledged with an empty envelope');
});

t.test('a verb the receiver does not implement answers 10000', async (t) => {
  const { messages, Job } = registry();
  const receiver = await startReceiver(t, messages, { receive: () => undefined });
  const node = testNode(t, { messages });
  await t.rejects(node.sender(receiver.instance).ask(Job({ id: 1 })), { code: 'LG_ERR_RPC_NO_RECEIVER', errCode: 10000, linkisCode: 10000 });
});

t.test('a timed ask is answered with LG_ERR_RPC_TIMEOUT at its deadline on both sides, and the receiver sees its signal abort', async (t) => {
  const { messages, Job } = registry();
  let aborted: Promise<boolean> | undefined;
  const receiver = await startReceiver(t, messages, {
    receiveAndReply: (_message, _sender, context) => {
      aborted = new Promise((resolve) => context.signal.addEventListener('abort', () => resolve(true)));
      return sleep(5000, undefined, { signal: context.signal });
    },
  });
  const node = testNode(t, { messages });
  await t.rejects(node.sender(receiver.instance).ask(Job({ id: 1 }), { timeout: 300 }), { code: 'LG_ERR_RPC_TIMEOUT' });
  t.equal(await aborted, true, 'the receiver was told to stop');
  // The receiver's own deadline answers a caller that does not enforce one (a raw POST).
  const raw = await post(receiver.url, 'replyInMills', envelope({ rpc_object_class: 'test.Job', rpc_object_value: '{"id":2}', duration: 200 }));
  t.match(raw.json(), { status: 1, data: { code: 'LG_ERR_RPC_TIMEOUT', received: true } });
  t.equal(raw.status, 504);
});

t.test('receiver errors reach the caller with their codes; a reply that is not a registered message is refused', async (t) => {
  const { messages, Job } = registry();
  const receiver = await startReceiver(t, messages, {
    receiveAndReply: (message) => {
      const { id } = (message as Message<{ id: number }>).value;
      if (id === 1) throw new ServiceError(12345, 'out of widgets', { retryable: true });
      if (id === 2) throw new Error('boom');
      if (id === 3) return { type: 'test.Unknown', value: {} };
      return Job({ id: id * 10 });
    },
  });
  const node = testNode(t, { messages });
  const sender = node.sender(receiver.instance);
  await t.rejects(sender.ask(Job({ id: 1 })), { name: 'RemoteError', code: 'LG_ERR_RPC_REMOTE', errCode: 12345, message: 'errCode: 12345 ,desc: out of widgets', data: { retryable: true, received: true } });
  await t.rejects(sender.ask(Job({ id: 2 })), { code: 'LG_ERR_RPC_RECEIVER_FAILED', message: /boom/ });
  await t.rejects(sender.ask(Job({ id: 3 })), { code: 'LG_ERR_RPC_UNKNOWN_TYPE' });
  t.same(await sender.ask(Job({ id: 4 })), Job({ id: 40 }));
});

t.test('a full queue answers the retryable 15555 and the service keeps serving; retries get everything through', async (t) => {
  const gw = await startGateway(t, '');
  const stock = await startStock(t, gw, ['--concurrency', '1', '--queue', '1']);
  const { node, types } = await stockClient(t, gw);
  const outcomes = await Promise.allSettled([0, 1, 2, 3, 4].map(() => node.sender(stock.instance).ask(types.Recount({ ms: 1500 }), { timeout: 10_000 })));
  const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
  t.equal(outcomes.length - refused.length, 2, 'one ran, one waited');
  t.equal(refused.length, 3);
  for (const outcome of refused) {
    t.match((outcome as PromiseRejectedResult).reason, { code: 'LG_ERR_RPC_QUEUE_FULL', errCode: 15555, data: { retryable: true, received: false } });
  }
  t.equal(stock.child.exitCode, null, 'still running');
  t.equal((await stockStats(node, types, stock.instance)).received['stock.Recount'], 2);

  const patient = await stockClient(t, gw, { recountRetry: { attempts: 20, baseMs: 100, factor: 1, maxMs: 100 } });
  const all = await Promise.allSettled([0, 1, 2, 3, 4].map(() => patient.node.sender(stock.instance).ask(patient.types.Recount({ ms: 100 }), { timeout: 10_000 })));
  t.same(all.map((outcome) => outcome.status), ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'], '15555 never ran anything, so even a type not safe to repeat is retried');
});

t.test('closing the server lets accepted sends finish first', async (t) => {
  const { messages, Job } = registry();
  const done: number[] = [];
  const receiver = await startReceiver(t, messages, {
    receive: async (message) => {
      await sleep(100);
      done.push((message as Message<{ id: number }>).value.id);
    },
  }, { concurrency: 2 });
  const node = testNode(t, { messages });
  for (let id = 0; id < 6; id++) await node.sender(receiver.instance).send(Job({ id }));
  t.ok(done.length < 6, 'send returned before the receiver finished');
  await receiver.close();
  t.same(done.sort(), [0, 1, 2, 3, 4, 5]);
});
