/**
 * 36: etcd stops entirely under two gateways. Proxied traffic and known sessions carry on from the
 * last known state, Eureka writes answer 503 (never 404), and everything recovers without a
 * gateway restart once etcd is back; a gateway started during the outage gets ready then.
 */
import t from 'tap';
import { login } from '../../helpers/auth.js';
import { eventually } from '../../helpers/eureka.js';
import { startGatewayProcess } from '../../helpers/gateway-process.js';
import { loadLoop, tally } from '../../helpers/load-loop.js';
import { ALICE, ENTRANCE, entranceIds, eurekaCall, registerEntrance, startScaleOut, submit } from '../../helpers/scale-out.js';

const { etcd, a, b, upstream, yaml } = await startScaleOut(t);
const heartbeatPath = `/eureka/apps/${ENTRANCE.toUpperCase()}/e-36`;

t.test('36: while etcd is down traffic flows and writes answer 503; after it returns everything works again', async (t) => {
  t.equal((await registerEntrance(a, 'e-36', upstream.port)).status, 204);
  await eventually(async () => (await entranceIds(b)).includes('e-36'), 5000, 'B lists it');
  const { cookie } = await login(a, ALICE.name, ALICE.password);
  await eventually(async () => (await b.request('/api/rest_j/v1/user/userInfo', { headers: { cookie: cookie! } })).status === 200, 5000, 'B knows the session');
  const traffic = loadLoop((round) => submit(round % 2 === 0 ? a : b));
  const member = etcd.members[0]!;
  await member.stop();
  const stoppedAt = Date.now();

  const register = await registerEntrance(a, 'e-36-during', upstream.port);
  t.equal(register.status, 503, 'a registration is 503');
  t.equal(register.json().data.code, 'LG_ERR_REGISTRY_UNAVAILABLE');
  t.equal((await eurekaCall(b, 'PUT', heartbeatPath)).status, 503, 'a heartbeat is 503, not 404');
  t.equal((await eurekaCall(b, 'DELETE', heartbeatPath)).status, 503, 'so is a cancel');
  t.same(await entranceIds(b), ['e-36'], 'reads are served from the last known state');
  t.equal((await b.request('/api/rest_j/v1/user/userInfo', { headers: { cookie: cookie! } })).status, 200, 'a known session still works');
  const refused = await login(b, ALICE.name, ALICE.password);
  t.equal(refused.answer.status, 503, 'a new login cannot be shared, so it is refused');
  t.equal(refused.answer.json().data.code, 'LG_ERR_SESSION_STORE_UNAVAILABLE');
  for (const gw of [a, b]) t.equal((await gw.admin('/readyz')).status, 200, 'still ready: the gateway serves traffic');
  const late = await startGatewayProcess(t, yaml);
  t.equal((await late.admin('/readyz')).status, 503, 'a gateway started meanwhile is up but not ready');
  // An outage of a few seconds: long enough for watches to lose their streams and host breakers to open.
  await eventually(() => Date.now() - stoppedAt > 3000 && traffic.outcomes.filter((outcome) => outcome.at > stoppedAt).length > 20, 10_000, 'traffic during the outage');

  await member.restart();
  await eventually(async () => (await registerEntrance(a, 'e-36-after', upstream.port)).status === 204, 20_000, 'registrations work again');
  await eventually(async () => (await entranceIds(b)).includes('e-36-after'), 10_000, 'B sees it: its watch resumed');
  t.equal((await eurekaCall(b, 'PUT', heartbeatPath)).status, 200, 'the lease survived');
  t.equal((await login(b, ALICE.name, ALICE.password)).answer.status, 200, 'logins work again');
  await late.ready();
  // Its initial read may predate e-36-after, which then arrives through its watch.
  await eventually(async () => (await entranceIds(late)).length === 2, 5000, 'the late gateway sees both');
  t.same(await entranceIds(late), ['e-36', 'e-36-after'], 'the late gateway synced once etcd answered');
  const outcomes = await traffic.stop();
  t.same(tally(outcomes), { 200: outcomes.length }, 'not one proxied request failed');
});
