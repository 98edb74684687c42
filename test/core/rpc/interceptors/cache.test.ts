/** Cacheable asks against a real stock process: hits counted on both sides, expiry after access. */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGateway } from '../../../helpers/gateway.js';
import { STOCK_APP, startStock, stockClient, stockStats } from '../../../helpers/rpc.js';

t.test('repeated cacheable asks hit the network once while they keep being read, and again after idling past the expiry', async (t) => {
  const gw = await startGateway(t, '');
  const stock = await startStock(t, gw);
  const { node, types } = await stockClient(t, gw, { quoteCacheMs: 1000 });
  const quotes = async () => (await stockStats(node, types, stock.instance)).received['stock.Quote'] ?? 0;
  const ask = () => node.sender(STOCK_APP).ask(types.Quote({ sku: 'A-1' }), { expect: types.QuoteReply });

  const answers = await Promise.all([ask(), ask(), ask()]);
  t.same(new Set(answers.map((answer) => answer.price)), new Set([10]));
  t.equal(await quotes(), 1, 'three concurrent asks, one request');
  t.same(node.cacheStats, { hits: 2, misses: 1 });

  // Read every 150 ms for 1.5 s (longer than the expiry): each read keeps the entry alive.
  for (let i = 0; i < 10; i++) {
    await sleep(150);
    await ask();
  }
  t.equal(await quotes(), 1, 'expire-after-access: still one request');

  await sleep(2000);
  await ask();
  t.equal(await quotes(), 2, 'idle past the expiry: asked again');
  await node.sender(STOCK_APP).ask(types.Quote({ sku: 'B-2' }));
  t.equal(await quotes(), 3, 'another value is another entry');
  node.removeCache(types.Quote({ sku: 'B-2' }));
  await node.sender(STOCK_APP).ask(types.Quote({ sku: 'B-2' }));
  t.equal(await quotes(), 4, 'removeCache forgets an entry');
});

t.test('a failed cacheable ask is not cached', async (t) => {
  const gw = await startGateway(t, '');
  const { node, types } = await stockClient(t, gw, { quoteCacheMs: 60_000 });
  await t.rejects(node.sender(STOCK_APP).ask(types.Quote({ sku: 'A-1' })), { code: 'LG_ERR_RPC_NO_INSTANCE' });
  const stock = await startStock(t, gw);
  t.match(await node.sender(STOCK_APP).ask(types.Quote({ sku: 'A-1' })), { value: { instance: stock.instance } });
});

t.test('the cache of a type holds at most its maxEntries: the entry read longest ago goes first', async (t) => {
  const { CacheInterceptor } = await import('../../../../core/rpc/interceptors/cache.js');
  const { MessageRegistry } = await import('../../../../core/rpc/message-types.js');
  const Quote = new MessageRegistry().define<{ sku: string }>('stock.Quote', { schema: { type: 'object' }, cacheable: { maxEntries: 2, expireMs: 60_000 } });
  let clock = 0;
  const cache = new CacheInterceptor(() => clock);
  const asked: string[] = [];
  const call = cache.wrap(async (invocation) => {
    asked.push((invocation.message.value as { sku: string }).sku);
    return undefined;
  });
  const ask = (sku: string) => call({ kind: 'ask', message: Quote({ sku }), messageType: Quote as never, target: { application: 'stock' }, timeout: undefined, deadline: Infinity, attempt: 0 });
  for (const sku of ['a', 'b', 'a', 'c', 'a', 'b']) {
    clock += 1;
    await ask(sku);
  }
  t.same(asked, ['a', 'b', 'c', 'b'], 'c pushed out b (read longest ago), not a');
  clock += 60_001;
  await ask('a');
  t.same(asked.at(-1), 'a', 'past expireMs since its last read: asked again');
});
