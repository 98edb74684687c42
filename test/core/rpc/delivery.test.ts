/** deliver(): a bounded local queue, drained on close, with a report of what could not be sent. */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { MessageRegistry, type Message, type Undelivered } from '../../../core/rpc/index.js';
import { closedPort } from '../../helpers/upstream.js';
import { startReceiver, testNode } from '../../helpers/rpc.js';

function registry() {
  const messages = new MessageRegistry();
  const Note = messages.define<{ n: number }>('test.Note', { schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } });
  return { messages, Note };
}

t.test('deliver returns at once; a full queue refuses at once; close drains everything accepted', async (t) => {
  const { messages, Note } = registry();
  const got: number[] = [];
  const receiver = await startReceiver(t, messages, {
    receive: async (message) => {
      await sleep(20);
      got.push((message as Message<{ n: number }>).value.n);
    },
  }, { concurrency: 1 });
  const node = testNode(t, { messages, deliver: { queueSize: 5, concurrency: 1 } });
  const sender = node.sender(receiver.instance);
  for (let n = 0; n < 6; n++) sender.deliver(Note({ n })); // one sending, five waiting
  t.throws(() => sender.deliver(Note({ n: 6 })), { code: 'LG_ERR_RPC_DELIVER_QUEUE_FULL' });
  const report = await node.close();
  t.same(report.undelivered, []);
  await receiver.close(); // drains its own queue of accepted sends
  t.same(got.sort(), [0, 1, 2, 3, 4, 5]);
  t.throws(() => sender.deliver(Note({ n: 7 })), { code: 'LG_ERR_RPC_CLOSED' });
});

t.test('messages that cannot be sent are reported as they fail and again by close', async (t) => {
  const { messages, Note } = registry();
  const reported: Undelivered[] = [];
  const node = testNode(t, { messages, onUndelivered: (undelivered) => void reported.push(undelivered) });
  const dead = `127.0.0.1:${await closedPort()}`;
  node.sender(dead).deliver(Note({ n: 1 }));
  node.sender(dead).deliver(Note({ n: 2 }));
  const { undelivered } = await node.close();
  t.same(undelivered.map((entry) => entry.message), [Note({ n: 1 }), Note({ n: 2 })]);
  t.match(undelivered[0], { target: { instance: dead }, error: { code: 'LG_ERR_RPC_CONNECT' } });
  t.equal(reported.length, 2);
});

t.test('messages still queued when the drain deadline passes are reported as LG_ERR_RPC_CLOSED', async (t) => {
  const { messages, Note } = registry();
  const receiver = await startReceiver(t, messages, { receive: () => undefined });
  // The receiver's queue is fine; this node sends one at a time and each send is slowed down.
  const node = testNode(t, {
    messages, deliver: { queueSize: 10, concurrency: 1, drainMs: 100 },
    interceptors: [{ name: 'slow', priority: 0, wrap: (next) => async (invocation) => (await sleep(80), next(invocation)) }],
  });
  for (let n = 0; n < 5; n++) node.sender(receiver.instance).deliver(Note({ n }));
  const { undelivered } = await node.close();
  t.ok(undelivered.length >= 2, `${undelivered.length} left undelivered`);
  for (const entry of undelivered) t.match(entry.error, { code: 'LG_ERR_RPC_CLOSED' });
});
