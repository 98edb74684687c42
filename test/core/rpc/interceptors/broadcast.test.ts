/** Broadcast types against three real stock processes registered with a test gateway. */
import t from 'tap';
import type { BroadcastFailure } from '../../../../core/rpc/index.js';
import { startGateway } from '../../../helpers/gateway.js';
import { eventually } from '../../../helpers/eureka.js';
import { closedPort } from '../../../helpers/upstream.js';
import { STOCK_APP, startStock, stockClient, stockStats } from '../../../helpers/rpc.js';

t.test('a broadcast reaches every live instance once; a listed broadcast only the listed ones', async (t) => {
  const gw = await startGateway(t, '');
  const stocks = await Promise.all([startStock(t, gw), startStock(t, gw), startStock(t, gw)]);
  const { node, types } = await stockClient(t, gw);
  await eventually(async () => {
    await node.sender(STOCK_APP).ask(types.Stats({}), { timeout: 2000 }); // warms discovery
    return (await Promise.all(stocks.map((stock) => stockStats(node, types, stock.instance)))).length === 3;
  });

  t.equal(await node.sender(STOCK_APP).send(types.PriceChange({ sku: 'A-1', price: 11 })), undefined, 'resolves once all took it');
  for (const stock of stocks) {
    const stats = await stockStats(node, types, stock.instance);
    t.equal(stats.received['stock.PriceChange'], 1, `${stock.instance} told once`);
    t.equal(stats.prices['A-1'], 11);
  }

  const [a, b, c] = stocks.map((stock) => stock.instance);
  await node.sender(STOCK_APP).send(types.PriceChange({ sku: 'A-1', price: 12 }), { instances: [a!, b!] });
  const prices = await Promise.all([a!, b!, c!].map(async (instance) => (await stockStats(node, types, instance)).prices['A-1']));
  t.same(prices, [12, 12, 11], 'the unlisted instance kept its price');

  await node.sender(c!).send(types.PriceChange({ sku: 'B-2', price: 1 }));
  const onlyC = await Promise.all([a!, b!, c!].map(async (instance) => (await stockStats(node, types, instance)).prices['B-2']));
  t.same(onlyC, [25, 25, 1], 'a sender pinned to one instance broadcasts to that one');
});

t.test('an instance that does not take a broadcast is reported; with throwsIfAnyFailed the send rejects', async (t) => {
  const gw = await startGateway(t, '');
  const stock = await startStock(t, gw);
  const dead = `127.0.0.1:${await closedPort()}`;
  const failures: BroadcastFailure[] = [];
  const { node, types } = await stockClient(t, gw, {}, { onBroadcastFailure: (failure) => void failures.push(failure) });
  await node.sender(STOCK_APP).send(types.PriceChange({ sku: 'A-1', price: 5 }), { instances: [stock.instance, dead] });
  t.equal(failures.length, 1);
  t.match(failures[0], { type: 'stock.PriceChange', instance: dead, error: { code: 'LG_ERR_RPC_CONNECT' } });
  t.equal((await stockStats(node, types, stock.instance)).prices['A-1'], 5, 'the live one still got it');

  const strict = await stockClient(t, gw, { strictBroadcast: true });
  await t.rejects(strict.node.sender(STOCK_APP).send(strict.types.PriceChange({ sku: 'A-1', price: 6 }), { instances: [stock.instance, dead] }), {
    code: 'LG_ERR_RPC_BROADCAST_FAILED', data: { failed: [dead] },
  });
});
