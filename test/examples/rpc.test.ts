/**
 * examples/rpc booted for real: the gateway's embedded registry, one stock and one orders
 * process, each finding the other by application name through it.
 */
import t from 'tap';
import { startGateway } from '../helpers/gateway.js';
import { eventually, registeredInstances } from '../helpers/eureka.js';
import { httpRequest } from '../helpers/http.js';
import { repoPath } from '../helpers/paths.js';
import { startService } from '../helpers/service-process.js';

const STOCK = repoPath('dist/examples/rpc/stock-service.js');
const ORDERS = repoPath('dist/examples/rpc/orders-service.js');

t.test('an order asks stock for a quote, sends the reservation and gets the answer back asynchronously, all found through the registry', async (t) => {
  const gw = await startGateway(t, '');
  const eureka = ['--eureka', `${gw.gateway.adminUrl}/eureka/`, '--heartbeat', '500', '--fetch', '300'];
  const stock = await startService(t, STOCK, eureka);
  const orders = await startService(t, ORDERS, eureka);
  const apps = (await registeredInstances(gw)).map((instance) => `${instance.app} ${instance.instanceId}`).sort();
  t.same(apps, [`RPC-DEMO-ORDERS ${orders.instance}`, `RPC-DEMO-STOCK ${stock.instance}`]);

  const order = await httpRequest(`${orders.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'A-1', qty: 3 }) });
  t.equal(order.status, 200, order.text);
  t.match(order.json(), { price: 30, quotedBy: stock.instance, reserved: true, reservedBy: stock.instance });

  const unknown = await httpRequest(`${orders.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: 'Z-9', qty: 1 }) });
  t.match(unknown.json(), { price: -1, reserved: false }, 'the stock service answers for a SKU it does not carry too');

  t.equal(await stock.stop(), 0, 'SIGTERM stops the stock service cleanly');
  await eventually(async () => (await registeredInstances(gw)).length === 1, 5000, 'stock deregistered');
  t.equal(await orders.stop(), 0);
});
