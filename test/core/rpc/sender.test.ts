/**
 * Senders between two real processes: this test process and example stock services, found
 * through a test gateway's embedded Eureka.
 */
import t from 'tap';
import type { Message } from '../../../core/rpc/index.js';
import { startGateway } from '../../helpers/gateway.js';
import { eventually } from '../../helpers/eureka.js';
import { STOCK_APP, startReceiver, startStock, stockClient, stockStats } from '../../helpers/rpc.js';

t.test('ask by application name, ask with a timeout and ask one exact instance all reach the stock process', async (t) => {
  const gw = await startGateway(t, '');
  const stock = await startStock(t, gw);
  const { node, types } = await stockClient(t, gw);
  const byName = await node.sender(STOCK_APP).ask(types.Quote({ sku: 'A-1' }));
  t.ok(types.QuoteReply.is(byName));
  t.same(byName?.value, { sku: 'A-1', price: 10, instance: stock.instance });
  t.same(await node.sender(STOCK_APP).ask(types.Quote({ sku: 'B-2' }), { timeout: 2000, expect: types.QuoteReply }), { sku: 'B-2', price: 25, instance: stock.instance });
  t.equal((await node.sender(stock.instance).ask(types.Recount({ ms: 0 }), { timeout: 2000 })), undefined, 'no answer resolves to undefined');
  await node.sender(STOCK_APP).ask(types.Quote({ sku: 'A-1' }));
  t.equal((await stockStats(node, types, stock.instance)).received['stock.Quote'], 2, 'two SKUs asked, the repeated one answered from the cache');
});

t.test('send resolves once the receiver queued it; deliver returns at once and close drains the queue', async (t) => {
  const gw = await startGateway(t, '');
  const stock = await startStock(t, gw);
  const reserved: Message[] = [];
  const { node, types } = await stockClient(t, gw);
  // The stock service answers reservations asynchronously, to the instance that sent them.
  await startReceiver(t, types.messages, { receive: (message) => void reserved.push(message) }, { node });
  await node.sender(STOCK_APP).send(types.Reserve({ orderId: 'o-1', sku: 'A-1', qty: 1 }));
  await eventually(() => reserved.length === 1, 5000, 'the asynchronous answer');
  t.same(reserved[0], types.Reserved({ orderId: 'o-1', ok: true, instance: stock.instance }));

  for (let i = 0; i < 20; i++) node.sender(STOCK_APP).deliver(types.PriceChange({ sku: 'A-1', price: 100 + i }));
  const report = await node.close();
  t.same(report.undelivered, [], 'everything delivered before close returned');
  const { node: reader } = await stockClient(t, gw);
  const stats = await stockStats(reader, types, stock.instance);
  t.equal(stats.received['stock.PriceChange'], 20);
  t.equal(stats.received['stock.Reserve'], 1);
});

t.test('a receiver killed during retries and restarted on the same port gets the message exactly once', async (t) => {
  const gw = await startGateway(t, '');
  const first = await startStock(t, gw);
  const port = first.instance.split(':')[1]!;
  const attempts: number[] = [];
  const reserved: Message[] = [];
  const { node, types } = await stockClient(t, gw, { reserveRetry: { attempts: 30, baseMs: 100, factor: 1.2, maxMs: 300 } }, {
    interceptors: [{ name: 'count', priority: 0, wrap: (next) => (invocation) => (attempts.push(invocation.attempt), next(invocation)) }],
  });
  await startReceiver(t, types.messages, { receive: (message) => void reserved.push(message) }, { node });
  t.equal(node.sender(STOCK_APP).target.instance, undefined, 'by name: the registry still lists the killed instance');

  await first.kill();
  const sent = node.sender(STOCK_APP).send(types.Reserve({ orderId: 'o-kill', sku: 'B-2', qty: 2 }));
  await eventually(() => attempts.length >= 3, 10_000, 'three refused attempts');
  const second = await startStock(t, gw, ['--port', port]);
  await sent;
  t.ok(attempts.length >= 3, `retried while the receiver was down (${attempts.length} attempts)`);
  t.same(attempts, attempts.map((_, index) => index), 'custom interceptors see each attempt once, in order');
  await eventually(() => reserved.length === 1, 5000, 'the reservation answer');
  t.equal(reserved[0]!.type, 'orders.Reserved');
  t.equal((await stockStats(node, types, second.instance)).received['stock.Reserve'], 1, 'received once');
});

t.test('a sender by name with no live instance fails with LG_ERR_RPC_NO_INSTANCE, after one fresh look at the registry', async (t) => {
  const gw = await startGateway(t, '');
  const { node, types } = await stockClient(t, gw);
  await t.rejects(node.sender('rpc-demo-nowhere').ask(types.Quote({ sku: 'A-1' })), { code: 'LG_ERR_RPC_NO_INSTANCE' });
  const stock = await startStock(t, gw);
  // Registered after our last fetch: the empty answer makes the sender look again at once.
  t.match(await node.sender(STOCK_APP).ask(types.Quote({ sku: 'A-1' })), { value: { instance: stock.instance } });
});

t.test('a message of an unregistered type or with an invalid value is refused before it is sent', async (t) => {
  const gw = await startGateway(t, '');
  const { node, types } = await stockClient(t, gw);
  await t.rejects(node.sender('127.0.0.1:1').ask({ type: 'stock.Nope', value: {} }), { code: 'LG_ERR_RPC_UNKNOWN_TYPE' });
  await t.rejects(node.sender('127.0.0.1:1').ask(types.Quote({ sku: 'lower-case' })), { code: 'LG_ERR_RPC_INVALID_MESSAGE' });
  t.throws(() => node.sender('127.0.0.1:1').deliver(types.Reserve({ orderId: '', sku: 'A-1', qty: 1 })), { code: 'LG_ERR_RPC_INVALID_MESSAGE' });
});
