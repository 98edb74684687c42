/** Linkis token authentication (spec/linkis.md §1.5, acceptance behaviours 16–25). */
import t from 'tap';
import { startGateway, staticRegistry, type TestGateway } from '../../helpers/gateway.js';
import { startUpstream, type Upstream } from '../../helpers/upstream.js';
import { buildProblems } from '../../helpers/config.js';
import { securitySection, TEST_SECRET, TICKET_COOKIE, ticketCookie } from '../../helpers/auth.js';
import { TicketCipher } from '../../../core/session/ticket-cipher.js';

const T1 = 'T1-7f3a9c2e4b8d1f6a0c5e9b3d7a1f4c8e';
const STALE = 'STALE-0e4f8a2c6b1d5f9a3c7e0b4d8f2a6c1e';
const NO_HOSTS = 'NOHOSTS-5c9e3a7f1b4d8c2e6a0f3b7d1c5e9a4f';
const TRUSTED_ONLY = 'TRUSTED-2b6f0a4e8c3d7f1b5a9e2c6d0f4a8b3e';
const LIST = '/api/rest_j/v1/jobhistory/list';

const TOKENS = `    - use: token
      options:
        tokens:
          - { name: T1, code: ${T1}, users: [alice], hosts: [127.0.0.1], expires: null }
          - { code: ${STALE}, users: ["*"], hosts: ["*"], expires: "2020-01-01T00:00:00Z" }
          - { code: ${NO_HOSTS}, users: ["*"], hosts: [] }
          - { code: ${TRUSTED_ONLY}, users: ["*"], hosts: [127.0.0.1], admin: true }
`;

async function setup(t: Parameters<typeof startGateway>[0], strategies = TOKENS, server = ''): Promise<{ gw: TestGateway; up: Upstream }> {
  const up = await startUpstream('ps');
  t.teardown(() => up.close());
  const gw = await startGateway(t, server + securitySection(strategies) + staticRegistry({ 'linkis-ps-publicservice': [up] }));
  return { gw, up };
}

const token = (code: string, user: string, extra: Record<string, string> = {}) => ({ headers: { 'token-code': code, 'token-user': user, ...extra } });

t.test('16: a valid token is forwarded with a ticket for its user; the client gets no cookie', async (t) => {
  const { gw, up } = await setup(t);
  const answer = await gw.request(LIST, token(T1, 'alice'));
  t.equal(answer.status, 200);
  t.equal(answer.headers['set-cookie'], undefined);
  const seen = up.received.at(-1)!;
  t.equal(seen.headers['x-linkis-user'], 'alice');
  const cookie = String(seen.headers.cookie);
  t.match(cookie, /; dataworkcloud_inner_request=true$/);
  const ticket = new RegExp(`${TICKET_COOKIE}=([^;]+)`).exec(cookie)![1]!;
  t.equal(new TicketCipher(TEST_SECRET).open(ticket)?.user, 'alice', 'a Linkis backend with the same key reads alice');
  t.equal(seen.headers['token-code'], T1, 'headers are forwarded as Linkis does');
});

t.test('tokens are also read from cookies, and a cookie ticket the client sent is replaced', async (t) => {
  const { gw, up } = await setup(t);
  const answer = await gw.request(LIST, { headers: { cookie: `Token-Code=${T1}; Token-User=alice; ${TICKET_COOKIE}=stale` } });
  t.equal(answer.status, 200);
  t.notMatch(String(up.received.at(-1)!.headers.cookie), `${TICKET_COOKIE}=stale`);
});

t.test('17, 19, 20, 21: refusals are 401 with Linkis\'s 152xx codes and never echo the token', async (t) => {
  const { gw, up } = await setup(t);
  const cases: [string, string, RegExp][] = [
    [T1, 'bob', /Token Authentication Failed.*15202|15202.*Token Authentication Failed/],
    ['NOPE-NOPE-NOPE-NOPE', 'alice', /15206.*15204/],
    [STALE, 'alice', /15201/],
    [NO_HOSTS, 'alice', /15203/],
  ];
  for (const [code, user, message] of cases) {
    const answer = await gw.request(LIST, token(code, user));
    t.equal(answer.status, 401, `${user} with ${code.slice(0, 5)}`);
    t.equal(answer.json().status, -1);
    t.equal(answer.json().method, LIST);
    t.match(answer.json().message, message);
    t.notMatch(answer.text, code, 'the token code is not in the answer');
  }
  t.equal(up.received.length, 0);
});

t.test('18: token hosts use the client IP; X-Forwarded-For counts only from a trusted proxy', async (t) => {
  const direct = await setup(t);
  const spoofed = await direct.gw.request(LIST, token(T1, 'alice', { 'x-forwarded-for': '10.1.1.1' }));
  t.equal(spoofed.status, 200, 'an untrusted peer\'s X-Forwarded-For is ignored: the socket says 127.0.0.1');
  const proxied = await setup(t, TOKENS, 'server: { host: 127.0.0.1, port: 0, trustedProxies: ["127.0.0.1"] }\n');
  const behind = await proxied.gw.request(LIST, token(T1, 'alice', { 'x-forwarded-for': '10.1.1.1' }));
  t.equal(behind.status, 401);
  t.match(behind.json().message, /15203/);
  t.match(behind.json().message, /10\.1\.1\.1/);
});

t.test('22: one of the two headers alone is not a token request', async (t) => {
  const { gw } = await setup(t);
  const answer = await gw.request(LIST, { headers: { 'token-code': T1 } });
  t.equal(answer.status, 401);
  t.equal(answer.json().data.code, 'LG_ERR_AUTH_REQUIRED');
});

t.test('23: token credentials without a token strategy are refused as Linkis does when token auth is off', async (t) => {
  const { gw } = await setup(t, '');
  const answer = await gw.request(LIST, token(T1, 'alice'));
  t.equal(answer.status, 401);
  t.equal(answer.json().message, 'Gateway未启用token认证，请采用其他认证方式!');
  const login = await gw.request('/api/rest_j/v1/user/token-login', { method: 'POST', ...token(T1, 'alice') });
  t.equal(login.json().data.code, 'LG_ERR_TOKEN_DISABLED');
});

t.test('24: token-login (POST only) turns a token into a session cookie', async (t) => {
  const { gw } = await setup(t);
  const get = await gw.request('/api/rest_j/v1/user/token-login', token(T1, 'alice'));
  t.equal(get.status, 400);
  t.equal(get.json().message, 'Only support method POST');
  const missing = await gw.request('/api/rest_j/v1/user/token-login', { method: 'POST', body: '{}' });
  t.equal(missing.status, 401);
  t.equal(missing.json().data.code, 'LG_ERR_TOKEN_MISSING');
  const answer = await gw.request('/api/rest_j/v1/user/token-login', { method: 'POST', body: '{}', ...token(T1, 'alice') });
  t.same(answer.json(), { method: '/api/rest_j/v1/user/token-login', status: 0, message: 'login successful(登录成功)！', data: { userName: 'alice', isAdmin: false } });
  const cookie = ticketCookie(answer);
  t.ok(cookie);
  t.equal((await gw.request('/api/rest_j/v1/user/userInfo', { headers: { cookie: cookie! } })).json().data.userName, 'alice');
  const refused = await gw.request('/api/rest_j/v1/user/token-login', { method: 'POST', ...token(T1, 'bob') });
  t.match(refused.json().message, /15202/);
});

t.test('a token may grant admin', async (t) => {
  const { gw } = await setup(t);
  const answer = await gw.request('/api/rest_j/v1/user/token-login', { method: 'POST', ...token(TRUSTED_ONLY, 'ops') });
  t.equal(answer.json().data.isAdmin, true);
});

t.test('25 (deliberately different): token changes apply with the config reload, not after a 2-minute cache', async (t) => {
  const { gw } = await setup(t);
  t.equal((await gw.request(LIST, token(T1, 'alice'))).status, 200);
  await gw.writeConfig(securitySection(TOKENS.replace('users: [alice]', 'users: [carol]')) + staticRegistry({ 'linkis-ps-publicservice': [{ hostPort: '127.0.0.1:1' }] }));
  const outcome = await gw.gateway.reload();
  t.equal(outcome.ok, true);
  t.match((await gw.request(LIST, token(T1, 'alice'))).json().message, /15202/);
});

t.test('weak, default and malformed tokens are refused when the config loads', async (t) => {
  const config = (entry: string) => securitySection(`    - use: token\n      options:\n        tokens:\n          - ${entry}\n`);
  const short = await buildProblems(config('{ code: LINKIS-AUTH, users: ["*"], hosts: ["*"] }'));
  t.equal(short[0]?.code, 'LG_ERR_CONFIG_PLUGIN_OPTIONS', 'shorter than 16 characters');
  const placeholder = await buildProblems(config('{ code: LINKIS-UNAVAILABLE-TOKEN, users: ["*"], hosts: ["*"] }'));
  t.equal(placeholder[0]?.code, 'LG_ERR_CONFIG_PLUGIN_CREATE');
  t.match(placeholder[0]?.pointer, /\/tokens\/0\/code$/);
  const expiry = await buildProblems(config(`{ code: ${T1}, users: ["*"], hosts: ["*"], expires: "next tuesday" }`));
  t.match(expiry[0]?.message, /ISO 8601/);
  const hosts = await buildProblems(config(`{ code: ${T1}, users: ["*"], hosts: ["not-an-ip"] }`));
  t.match(hosts[0]?.pointer, /\/tokens\/0\/hosts$/);
  const twice = await buildProblems(securitySection(`    - use: token\n      options:\n        tokens:\n          - { code: ${T1}, users: ["*"], hosts: ["*"] }\n          - { code: ${T1}, users: [a], hosts: ["*"] }\n`));
  t.match(twice[0]?.message, /same code/);
  t.notMatch(JSON.stringify([short, placeholder, expiry, hosts, twice]), T1, 'no problem message repeats a token code');
});
