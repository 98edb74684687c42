/**
 * A login never hands out a ticket the gateway then refuses: with the auth list of design §3.3
 * (`[token, password]`, no `session` entry) and with the shipped config/gateway.yaml, the ticket
 * of a password login or a token-login is accepted on proxied requests, WebSocket handshakes and
 * by a second gateway sharing etcd, until logout.
 */
import t, { type Test } from 'tap';
import { readFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { hashPassword } from '../../core/password-hash.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { startWsUpstream, type WsUpstream } from '../helpers/ws-upstream.js';
import { login, TEST_COST, TEST_SECRET, ticketCookie } from '../helpers/auth.js';
import { startEtcd } from '../helpers/etcd.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { repoPath } from '../helpers/paths.js';
import { eventually } from '../helpers/eureka.js';

const LIST = '/api/rest_j/v1/jobhistory/list';
const CONNECT = '/ws/api/entrance/connect';
const CLI_TOKEN = 'implicit-session-token-0123456789abcdef';
const HADOOP = { name: 'hadoop', password: 'hadoop-password' };

interface Backends {
  readonly ps: Upstream;
  readonly entrance: WsUpstream;
}

async function backends(t: Test): Promise<Backends> {
  const [ps, entrance] = await Promise.all([startUpstream('ps'), startWsUpstream('entrance')]);
  t.teardown(() => Promise.all([ps.close(), entrance.close()]));
  return { ps, entrance };
}

/** design.md §3.3 as written, with its placeholders filled in and loopback ports. */
async function designYaml({ ps, entrance }: Backends, store: { endpoints: readonly string[]; prefix: string } | undefined): Promise<string> {
  const hash = await hashPassword(HADOOP.password, TEST_COST);
  return `server:   { host: 127.0.0.1, port: 0, trustedProxies: [] }
admin:    { host: 127.0.0.1, port: 0 }
registry:
  store: ${store ? 'etcd' : 'memory'}
  etcd: { endpoints: ${JSON.stringify(store?.endpoints ?? ['http://127.0.0.1:2379'])}, prefix: ${store?.prefix ?? '/labelgate/'} }
  eureka: { leaseSeconds: 90, selfPreservation: false }
  upstreamEureka: []
  static:
    - { app: linkis-ps-publicservice, instances: ["${ps.hostPort}"], labels: {} }
    - { app: linkis-cg-entrance, instances: ["${entrance.hostPort}"], labels: {} }
labels:   { file: ./data/labels.json }
security:
  ipAllowList: []
  referer: { enabled: false, allow: [] }
  passThrough: ["^/dws/"]
  session: { cookie: linkis_user_session_ticket_id_v1, ttl: 1h, secret: "${TEST_SECRET}" }
  auth:
    - use: token
      options: { tokens: [ { code: "${CLI_TOKEN}", users: ["*"], hosts: ["*"], expires: null } ] }
    - use: password
      options: { users: [ { name: ${HADOOP.name}, passwordHash: "${hash}", admin: true } ] }
parsers:
  - use: entrance-execution
  - use: entrance-request
  - use: rules
    options: { rules: [ { name: jobhistory, match: "^/api/rest_j/v1/jobhistory/.+$", application: linkis-ps-publicservice } ] }
  - use: linkis-default
router:
  use: label
  options: { serverList: [linkis-cg-entrance], balance: random, pinnedFallback: error }
interceptors: [ { use: retry, options: { attempts: 2 } } ]
body:      { maxBytes: 64MiB, workerThreshold: 64KiB, workers: 2 }
websocket: { prefix: /ws/, maxMessageBytes: 1MiB, heartbeat: 5s }
compat:    { routingErrorsAsHttp200: false }
log: { level: warn }
`;
}

/** The shipped config/gateway.yaml, with loopback ports, the test backends, one user and one token. */
async function shippedYaml({ ps, entrance }: Backends): Promise<string> {
  const hash = await hashPassword(HADOOP.password, TEST_COST);
  const text = (await readFile(repoPath('config', 'gateway.yaml'), 'utf8'))
    .replace(/^\$schema:.*$/m, '')
    .replace('${LABELGATE_HOST:-0.0.0.0}', '127.0.0.1')
    .replace('${LABELGATE_PORT:-9001}', '0')
    .replace('${LABELGATE_ADMIN_PORT:-9002}', '0')
    .replaceAll('../data', './data')
    .replace('"127.0.0.1:9105"', `"${ps.hostPort}"`)
    .replace(/\n {2}static:[^\n]*\n/, () => `\n  static:\n    - { app: linkis-cg-entrance, instances: ["${entrance.hostPort}"] }\n`)
    .replace('tokens: []', () => `tokens: [ { code: "${CLI_TOKEN}", users: ["*"], hosts: ["*"], expires: null } ]`)
    .replace('users: []', () => `users: [ { name: ${HADOOP.name}, passwordHash: "${hash}", admin: true } ]`);
  if (!text.includes(CLI_TOKEN) || !text.includes(hash) || !text.includes(entrance.hostPort)) throw new Error('config/gateway.yaml changed shape; adapt shippedYaml');
  return text;
}

type Requester = Pick<TestGateway, 'request'>;

async function tokenLogin(gw: Requester): Promise<string | undefined> {
  const answer = await gw.request('/api/rest_j/v1/user/token-login', { method: 'POST', headers: { 'token-code': CLI_TOKEN, 'token-user': 'hadoop' } });
  return ticketCookie(answer);
}

function openWs(url: string, cookie: string): Promise<{ status: number } | WebSocket> {
  const socket = new WebSocket(url.replace(/^http/, 'ws') + CONNECT, { headers: { cookie } });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    socket.once('error', reject);
  });
}

/** Login (password, then token-login) → cookie accepted over HTTP and WebSocket → logout → refused. */
async function loginRoundTrip(t: Test, gw: Requester & { url: string }, back: Backends, other: Requester & { url: string } = gw): Promise<void> {
  const { answer, cookie } = await login(gw, HADOOP.name, HADOOP.password);
  t.equal(answer.json().status, 0, 'login succeeds');
  t.ok(cookie, 'and sets the ticket cookie');
  for (const [how, ticket] of [['password login', cookie!], ['token-login', (await tokenLogin(gw))!]] as const) {
    t.ok(ticket, `${how} sets a ticket cookie`);
    const before = back.ps.received.length;
    const proxied = await other.request(LIST, { headers: { cookie: ticket } });
    t.equal(proxied.status, 200, `${how}: the ticket is accepted on a proxied request`);
    t.equal(back.ps.received.length, before + 1, `${how}: the request reached the upstream`);
    t.equal(back.ps.received.at(-1)!.headers['x-linkis-user'], 'hadoop', `${how}: the upstream is told the user`);
    const info = await other.request('/api/rest_j/v1/user/userInfo', { headers: { cookie: ticket } });
    t.equal(info.status, 200, `${how}: userInfo knows the user`);
    t.equal(info.json().data.userName, 'hadoop');

    const socket = await openWs(other.url, ticket);
    t.type(socket, WebSocket, `${how}: the WebSocket handshake is accepted`);
    if (socket instanceof WebSocket) {
      const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(data.toString())));
      socket.send(JSON.stringify({ id: 1, method: '/api/rest_j/v1/entrance/execute', data: { executionContent: { code: 'ls' } } }));
      t.match(JSON.parse(await reply), { from: 'entrance' });
      t.equal(back.entrance.connections.at(-1)!.headers['x-linkis-user'], 'hadoop', `${how}: the WebSocket upstream is told the user`);
      socket.close();
    }

    t.equal((await gw.request('/api/rest_j/v1/user/logout', { headers: { cookie: ticket } })).status, 200);
    if (other !== gw) {
      // The other gateway learns of the logout through its etcd watch, a few milliseconds later on
      // a quiet machine; userInfo is answered locally, so asking it until it says "not logged in"
      // sends nothing upstream.
      await eventually(async () => (await other.request('/api/rest_j/v1/user/userInfo', { headers: { cookie: ticket } })).status === 400,
        10_000, `${how}: the other gateway sees the logout`);
    }
    const after = back.ps.received.length;
    t.equal((await other.request(LIST, { headers: { cookie: ticket } })).status, 401, `${how}: after logout the ticket is refused`);
    t.equal(back.ps.received.length, after, 'and nothing reaches the upstream');
    t.match(await openWs(other.url, ticket), { status: 401 }, `${how}: after logout the handshake is refused`);
  }
}

t.test('design §3.3 auth list (token, password; no session entry): login tickets are accepted until logout', async (t) => {
  const back = await backends(t);
  const gw = await startGateway(t, await designYaml(back, undefined));
  await loginRoundTrip(t, { request: gw.request, url: gw.gateway.url }, back);
});

t.test('the shipped config/gateway.yaml: login tickets are accepted until logout', async (t) => {
  const back = await backends(t);
  const gw = await startGateway(t, await shippedYaml(back));
  await loginRoundTrip(t, { request: gw.request, url: gw.gateway.url }, back);
});

t.test('design §3.3 on two gateways sharing etcd: a ticket from one is accepted by the other until logout', async (t) => {
  const etcd = await startEtcd(t);
  const back = await backends(t);
  const yaml = await designYaml(back, { endpoints: etcd.endpoints, prefix: '/implicit-session/' });
  const [a, b] = await Promise.all([startGatewayProcess(t, yaml), startGatewayProcess(t, yaml)]) as [GatewayProcess, GatewayProcess];
  await Promise.all([a.ready(), b.ready()]);
  await loginRoundTrip(t, a, back, b);
});
