/**
 * The SDK's own Eureka client against the gateway's embedded registry: register, heartbeat,
 * re-register after a 404, cancel on close; discovery by full fetch, then deltas.
 */
import t from 'tap';
import { EurekaDiscovery } from '../../../core/rpc/discovery.js';
import { EurekaRegistration } from '../../../core/rpc/eureka-registration.js';
import { createLogger } from '../../../core/logger.js';
import { startGateway } from '../../helpers/gateway.js';
import { eureka, eventually, registeredInstances } from '../../helpers/eureka.js';

const logger = createLogger('silent');

t.test('registers as host:port with its lease and metadata, re-registers when the server forgot it, cancels on stop', async (t) => {
  const gw = await startGateway(t, '');
  const registration = new EurekaRegistration({
    url: `${gw.gateway.adminUrl}/eureka/`, application: 'rpc-reg', host: '127.0.0.1', port: 4567,
    heartbeatMs: 100, leaseSeconds: 7, metadata: { route: 'et1' }, logger,
  });
  await registration.start();
  t.teardown(() => registration.stop());
  t.match(await registeredInstances(gw), [{ app: 'RPC-REG', instanceId: '127.0.0.1:4567', status: 'UP', metadata: { route: 'et1' }, leaseInfo: { durationInSecs: 7 } }]);
  const routed = gw.gateway.registry.snapshot().instance('rpc-reg', '127.0.0.1:4567');
  t.same(routed?.labels, { route: 'et1' }, 'the gateway routes to it with its route label');

  t.equal((await eureka(gw, 'DELETE', '/eureka/apps/RPC-REG/127.0.0.1:4567')).status, 200);
  await eventually(async () => (await registeredInstances(gw)).length === 1, 5000, 're-registered after a heartbeat got 404');

  await registration.stop();
  t.same(await registeredInstances(gw), []);
});

t.test('a registration the server refuses rejects with LG_ERR_RPC_EUREKA', async (t) => {
  const gw = await startGateway(t, 'registry: { eureka: { auth: { user: eu, password: secret-password-1 } } }\n');
  const refused = new EurekaRegistration({ url: `${gw.gateway.adminUrl}/eureka/`, application: 'x', host: '127.0.0.1', port: 1, heartbeatMs: 1000, leaseSeconds: 5, metadata: {}, logger });
  await t.rejects(refused.register(), { code: 'LG_ERR_RPC_EUREKA', message: /HTTP 401/ });
  const withCredentials = new EurekaRegistration({ url: gw.gateway.adminUrl.replace('http://', 'http://eu:secret-password-1@') + '/eureka/', application: 'x', host: '127.0.0.1', port: 1, heartbeatMs: 1000, leaseSeconds: 5, metadata: {}, logger });
  await withCredentials.register();
  await withCredentials.stop();
});

t.test('discovery sees instances registered and cancelled after its first fetch, through deltas', async (t) => {
  const gw = await startGateway(t, '');
  const discovery = new EurekaDiscovery({ url: `${gw.gateway.adminUrl}/eureka/`, fetchMs: 100, logger });
  t.teardown(() => discovery.close());
  await discovery.start();
  t.same(discovery.instances('rpc-late'), []);
  const late = (port: number) => new EurekaRegistration({ url: `${gw.gateway.adminUrl}/eureka/`, application: 'rpc-late', host: '127.0.0.1', port, heartbeatMs: 1000, leaseSeconds: 5, metadata: {}, logger });
  const [a, b] = [late(1001), late(1002)];
  await Promise.all([a.start(), b.start()]);
  await eventually(() => discovery.instances('RPC-LATE').length === 2, 5000, 'both seen (names are case-insensitive)');
  await eureka(gw, 'PUT', '/eureka/apps/RPC-LATE/127.0.0.1:1001/status?value=OUT_OF_SERVICE');
  await eventually(() => discovery.instances('rpc-late').join() === '127.0.0.1:1002', 5000, 'only UP instances are live');
  await b.stop();
  await a.stop();
  await eventually(() => discovery.instances('rpc-late').length === 0, 5000, 'cancels seen');
});
