/**
 * Which failures are retried: connect errors and retryable replies, never a message a receiver
 * may already have processed unless its type is safe to repeat; and where custom interceptors sit.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { MessageRegistry, ServiceError, type Invocation, type TypeOptions } from '../../../../core/rpc/index.js';
import { closedPort } from '../../../helpers/upstream.js';
import { startReceiver, testNode } from '../../../helpers/rpc.js';

const schema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
const fast = { attempts: 4, baseMs: 20, factor: 1, maxMs: 20 };

function types(extra: Partial<TypeOptions> = {}) {
  const messages = new MessageRegistry();
  return {
    messages,
    Once: messages.define<{ n: number }>('test.Once', { schema, retryable: fast, ...extra }),
    Repeatable: messages.define<{ n: number }>('test.Repeatable', { schema, retryable: fast, safeToRepeat: true }),
    Plain: messages.define<{ n: number }>('test.Plain', { schema }),
  };
}

t.test('a retryable error raised by a receiver is retried only for types safe to repeat', async (t) => {
  const { messages, Once, Repeatable } = types();
  const calls: string[] = [];
  const receiver = await startReceiver(t, messages, {
    receiveAndReply: (message) => {
      calls.push(message.type);
      throw new ServiceError(20001, 'try later', { retryable: true });
    },
  });
  const node = testNode(t, { messages });
  await t.rejects(node.sender(receiver.instance).ask(Once({ n: 1 })), { code: 'LG_ERR_RPC_REMOTE', errCode: 20001 });
  t.same(calls, ['test.Once'], 'processed once: not repeated');
  await t.rejects(node.sender(receiver.instance).ask(Repeatable({ n: 1 })), { code: 'LG_ERR_RPC_REMOTE', errCode: 20001 });
  t.same(calls.filter((type) => type === 'test.Repeatable').length, 4, 'safe to repeat: all attempts');
});

t.test('a timeout after the receiver took the message is retried only for types safe to repeat', async (t) => {
  const { messages, Once, Repeatable } = types();
  const calls: string[] = [];
  const receiver = await startReceiver(t, messages, {
    receiveAndReply: async (message, _sender, context) => {
      calls.push(message.type);
      await sleep(10_000, undefined, { signal: context.signal }).catch(() => undefined);
      return undefined;
    },
  });
  const node = testNode(t, { messages });
  await t.rejects(node.sender(receiver.instance).ask(Once({ n: 1 }), { timeout: 200 }), { code: 'LG_ERR_RPC_TIMEOUT' });
  t.same(calls, ['test.Once']);
  const repeatable = testNode(t, { messages, timeout: 150 }); // untimed asks get the node's deadline
  await t.rejects(repeatable.sender(receiver.instance).ask(Repeatable({ n: 1 })), { code: 'LG_ERR_RPC_TIMEOUT' });
  t.same(calls.filter((type) => type === 'test.Repeatable').length, 1, 'the deadline covers the retries too: no time left for another');
});

t.test('refused connections are retried up to the attempts of the type, then the connect error is thrown', async (t) => {
  const { messages, Once, Plain } = types();
  const seen: Invocation[] = [];
  const node = testNode(t, { messages, interceptors: [{ name: 'spy', priority: 1, wrap: (next) => (invocation) => (seen.push(invocation), next(invocation)) }] });
  const dead = `127.0.0.1:${await closedPort()}`;
  await t.rejects(node.sender(dead).send(Once({ n: 1 })), { code: 'LG_ERR_RPC_CONNECT', data: { received: false, instance: dead } });
  t.same(seen.map((invocation) => invocation.attempt), [0, 1, 2, 3]);
  seen.length = 0;
  await t.rejects(node.sender(dead).send(Plain({ n: 1 })), { code: 'LG_ERR_RPC_CONNECT' });
  t.equal(seen.length, 1, 'a type that is not retryable is tried once');
});

t.test('custom interceptors wrap each attempt inside retry, higher priority outermost, ties by name', async (t) => {
  const { messages, Plain } = types();
  const order: string[] = [];
  const spy = (name: string, priority: number) => ({
    name, priority,
    wrap: (next: (i: Invocation) => Promise<unknown>) => async (invocation: Invocation) => {
      order.push(`${name}>`);
      try {
        return await next(invocation);
      } finally {
        order.push(`<${name}`);
      }
    },
  });
  const receiver = await startReceiver(t, messages, { receiveAndReply: () => undefined });
  const node = testNode(t, { messages, interceptors: [spy('b', 5), spy('low', 1), spy('a', 5), spy('high', 10)] as never });
  await node.sender(receiver.instance).ask(Plain({ n: 1 }));
  t.same(order, ['high>', 'a>', 'b>', 'low>', '<low', '<b', '<a', '<high']);
});

t.test('a node that closes stops waiting between retries', async (t) => {
  const messages = new MessageRegistry();
  const Slow = messages.define<{ n: number }>('test.Slow', { schema, retryable: { attempts: 10, baseMs: 60_000 } });
  const node = testNode(t, { messages });
  const pending = node.sender(`127.0.0.1:${await closedPort()}`).send(Slow({ n: 1 }));
  await sleep(50);
  const started = Date.now();
  await node.close();
  await t.rejects(pending, { code: 'LG_ERR_RPC_CONNECT' });
  t.ok(Date.now() - started < 30_000, 'did not wait out the backoff');
  await t.rejects(node.sender('127.0.0.1:1').ask(Slow({ n: 2 })), { code: 'LG_ERR_RPC_CLOSED' });
});
