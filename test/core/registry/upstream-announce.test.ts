/**
 * `registry.upstreamEureka[].announce`: gateways with the memory store that read one Eureka
 * server register themselves there as `linkis-mg-gateway`, so each lists the others in
 * `/api/rest_j/v1/gateway/heartbeat`; a gateway that shuts down cancels its registration.
 */
import t from 'tap';
import { login, passwordStrategy, securitySection } from '../../helpers/auth.js';
import { eventually, registeredInstances } from '../../helpers/eureka.js';
import { startGateway, type TestGateway } from '../../helpers/gateway.js';

const shared = await startGateway(t, '');
const security = securitySection(await passwordStrategy([{ name: 'alice', password: 'alice-pw' }]));
const reading = (announce: boolean) => `${security}registry:\n  upstreamEureka: [{ url: "${shared.gateway.adminUrl}/eureka/", interval: 100ms, announce: ${announce} }]\n`;
const hostPort = (gw: TestGateway) => new URL(gw.gateway.url).host;

async function gatewayList(gw: TestGateway): Promise<string[]> {
  const { cookie } = await login(gw, 'alice', 'alice-pw');
  const answer = await gw.request('/api/rest_j/v1/gateway/heartbeat', { headers: { cookie: cookie! } });
  return (answer.json().data.gatewayList as string[]).slice().sort();
}

t.test('gateways announcing themselves in a shared Eureka list each other; one that stops drops out', async (t) => {
  const [first, second] = [await startGateway(t, reading(true)), await startGateway(t, reading(true))];
  const quiet = await startGateway(t, reading(false));
  const both = [hostPort(first), hostPort(second)].sort();
  await eventually(async () => (await gatewayList(first)).join() === both.join(), 10_000, 'the first lists both');
  await eventually(async () => (await gatewayList(second)).join() === both.join(), 10_000, 'the second lists both');
  t.same(await gatewayList(first), both);
  await eventually(async () => (await gatewayList(quiet)).length === 3, 10_000, 'a reader that does not announce lists them too');
  t.same(await gatewayList(quiet), [...both, hostPort(quiet)].sort(), 'and itself, but it registered nowhere');
  const registered = (await registeredInstances(shared)).filter((instance) => instance.app === 'LINKIS-MG-GATEWAY').map((instance) => instance.instanceId).sort();
  t.same(registered, both, 'the shared Eureka holds the announcing gateways as linkis-mg-gateway');

  await second.close();
  await eventually(async () => (await gatewayList(first)).join() === hostPort(first), 10_000, 'the first no longer lists the second');
  t.same(await gatewayList(first), [hostPort(first)]);
});
