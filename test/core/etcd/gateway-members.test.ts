/**
 * Gateways sharing one etcd find each other (issue 13): `/api/rest_j/v1/gateway/heartbeat` on any
 * of them lists every live gateway of the cluster (their `<prefix>members/` entries), so the
 * client SDK given one gateway learns the others and fails over to them.
 */
import t from 'tap';
import { GatewayClient } from '../../../core/client/index.js';
import { memberHostPort } from '../../../core/etcd/gateway-members.js';
import { login } from '../../helpers/auth.js';
import { eventually } from '../../helpers/eureka.js';
import { startGatewayProcess, type GatewayProcess } from '../../helpers/gateway-process.js';
import { ALICE, scaleOutYaml, startScaleOut } from '../../helpers/scale-out.js';

const { etcd, a, b } = await startScaleOut(t);

const hostPort = (gw: GatewayProcess) => new URL(gw.url).host;

/** `data.gatewayList` of the heartbeat, asked as a logged-in user. */
async function gatewayList(gw: GatewayProcess): Promise<string[]> {
  const { cookie } = await login(gw, ALICE.name, ALICE.password);
  const answer = await gw.request('/api/rest_j/v1/gateway/heartbeat', { headers: { cookie: cookie! } });
  if (answer.status !== 200) throw new Error(`heartbeat answered ${answer.status}: ${answer.text}`);
  return (answer.json().data.gatewayList as string[]).slice().sort();
}

t.test('the heartbeat of either gateway lists both; a stopped gateway drops out of it', async (t) => {
  const both = [hostPort(a), hostPort(b)].sort();
  await eventually(async () => (await gatewayList(a)).join() === both.join(), 10_000, 'A lists A and B');
  await eventually(async () => (await gatewayList(b)).join() === both.join(), 10_000, 'B lists A and B');
  t.same(await gatewayList(a), both, 'A: each gateway once');
  t.same(await gatewayList(b), both, 'B: each gateway once');

  await b.stop();
  await eventually(async () => (await gatewayList(a)).join() === hostPort(a), 10_000, 'A no longer lists B');
  t.same(await gatewayList(a), [hostPort(a)], 'only the live gateway is listed');
});

t.test('a client given only the first gateway learns the second from the heartbeat and fails over to it', async (t) => {
  // A cluster of its own (another prefix on the same etcd): exactly two gateways.
  const yaml = await scaleOutYaml(etcd.endpoints, '/failover/');
  const [first, second] = await Promise.all([startGatewayProcess(t, yaml), startGatewayProcess(t, yaml)]);
  await Promise.all([first.ready(), second.ready()]);
  await eventually(async () => (await gatewayList(first)).includes(hostPort(second)), 10_000, 'the first gateway lists the second');

  const logins: string[] = [];
  const sdk = new GatewayClient({ gateways: [first.url], auth: { user: ALICE.name, password: ALICE.password }, onLogin: (at) => void logins.push(at) });
  t.teardown(() => sdk.close());
  t.match(await sdk.request({ method: 'GET', path: 'user/userInfo', idempotent: true }), { userName: ALICE.name });
  t.same(sdk.gateways.map((gateway) => gateway.url).sort(), [first.url, second.url].sort(), 'the second gateway was discovered');

  // The first crashes: no clean shutdown removes its member entry.
  await new Promise<void>((resolve) => {
    first.child.once('exit', () => resolve());
    process.kill(first.child.pid!, 'SIGKILL');
  });
  t.match(await sdk.request({ method: 'GET', path: 'user/userInfo', idempotent: true }), { userName: ALICE.name }, 'answered through the second gateway');
  t.same(logins, [first.url, second.url], 'logged in at the first, then at the second');
  t.ok(sdk.gateways.find((gateway) => gateway.url === first.url)!.unhealthyUntil > Date.now(), 'the first is set aside');
  // Its entry goes with its lease (10 s TTL): then the second lists only itself.
  await eventually(async () => (await gatewayList(second)).join() === hostPort(second), 20_000, 'the crashed gateway drops out');
  t.pass('the crashed gateway is no longer listed once its lease expired');
});

t.test('a member entry names its listener; entries that name none are skipped', async (t) => {
  t.equal(memberHostPort(JSON.stringify({ hostPort: 'gw1:9001', addr: 'http://0.0.0.0:9001', host: 'gw1' })), 'gw1:9001');
  t.equal(memberHostPort(JSON.stringify({ addr: 'http://0.0.0.0:9001', host: 'gw2' })), 'gw2:9001', 'an entry without hostPort: its host for a wildcard listener');
  t.equal(memberHostPort(JSON.stringify({ addr: 'http://10.0.0.3:9001' })), '10.0.0.3:9001');
  t.equal(memberHostPort(JSON.stringify({ addr: 'http://[::1]:9001' })), '[::1]:9001');
  for (const bad of ['', 'not json', 'null', '42', '[]', '{}', JSON.stringify({ hostPort: 'a b:1' }), JSON.stringify({ addr: 'http://0.0.0.0:9001' }), JSON.stringify({ addr: 'nonsense' }), JSON.stringify({ addr: 'http://h' })]) {
    t.equal(memberHostPort(bad), undefined, `skipped: ${bad || '(empty)'}`);
  }
});
