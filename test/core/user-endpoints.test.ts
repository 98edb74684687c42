/** The Linkis user endpoints and sessions, end to end (spec/linkis.md acceptance behaviours 1–15, 43). */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { register, registration } from '../helpers/eureka.js';
import { startGateway, staticRegistry, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { login, passwordStrategy, securitySection, TICKET_COOKIE } from '../helpers/auth.js';

const USER = '/api/rest_j/v1/user';
const NOT_LOGGED_IN = 'You are not logged in, please login first(您尚未登录，请先登录)!';

async function setup(t: Parameters<typeof startGateway>[0], extra = '', session = ''): Promise<{ gw: TestGateway; up: Upstream }> {
  const up = await startUpstream('ps');
  t.teardown(() => up.close());
  const strategies = await passwordStrategy([{ name: 'hadoop', password: 'hadoop-pw', admin: true }, { name: 'alice', password: 'alice-pw' }]);
  const gw = await startGateway(t, securitySection(strategies, extra, session) + staticRegistry({ 'linkis-ps-publicservice': [up] }));
  return { gw, up };
}

t.test('1: login answers the Linkis envelope and sets an HttpOnly session cookie without Max-Age', async (t) => {
  const { gw } = await setup(t);
  const { answer, cookie } = await login(gw, 'hadoop', 'hadoop-pw');
  t.equal(answer.status, 200);
  const body = answer.json();
  t.same(body, { method: '/api/rest_j/v1/user/login', status: 0, message: 'login successful(登录成功)！', data: { userName: 'hadoop', isAdmin: true, sessionTimeOut: 3_600_000, enableWatermark: true } });
  t.match(String(answer.headers['set-cookie']), new RegExp(`^${TICKET_COOKIE}=[A-Za-z0-9+/=]+; Path=/; HttpOnly; SameSite=Lax$`));
  t.ok(cookie);
  t.equal(answer.headers['content-type'], 'application/json;charset=UTF-8');
  const alice = await login(gw, 'alice', 'alice-pw');
  t.equal(alice.answer.json().data.isAdmin, false);
});

t.test('2, 3: an empty user name or password is a 400 with Linkis\'s message', async (t) => {
  const { gw } = await setup(t);
  const noUser = await login(gw, '', 'x');
  t.equal(noUser.answer.status, 400);
  t.equal(noUser.answer.json().message, 'Username can not be empty(用户名不能为空)！');
  t.equal(noUser.answer.json().data.sessionTimeOut, 3_600_000, 'failures carry the session settings too');
  const noPassword = await gw.request(`${USER}/login`, { method: 'POST', body: '{"userName":"hadoop"}' });
  t.equal(noPassword.status, 400);
  t.equal(noPassword.json().message, 'Password can not be blank(密码不能为空)！');
});

t.test('a wrong password and an unknown user get the same 401, and no cookie', async (t) => {
  const { gw } = await setup(t);
  const wrong = await login(gw, 'hadoop', 'nope');
  const unknown = await login(gw, 'nobody', 'nope');
  for (const { answer, cookie } of [wrong, unknown]) {
    t.equal(answer.status, 401);
    t.equal(answer.json().status, -1);
    t.equal(answer.json().message, 'wrong user name or password(用户名或密码错误)！');
    t.equal(cookie, undefined);
  }
  const malformed = await gw.request(`${USER}/login`, { method: 'POST', body: '{"userName":' });
  t.equal(malformed.status, 400);
  t.equal(malformed.json().data.code, 'LG_ERR_BODY_MALFORMED_JSON');
});

t.test('4: login with query parameters and no body', async (t) => {
  const { gw } = await setup(t);
  const answer = await gw.request(`${USER}/login?userName=hadoop&password=hadoop-pw`);
  t.equal(answer.json().status, 0);
});

t.test('5: logging in again with a valid cookie says who is already logged in', async (t) => {
  const { gw } = await setup(t);
  const { cookie } = await login(gw, 'hadoop', 'hadoop-pw');
  const again = await login(gw, 'alice', 'alice-pw', { cookie: cookie! });
  t.equal(again.answer.json().status, 0);
  t.match(again.answer.json().message, /^hadoop already logged in/);
  t.equal(again.cookie, undefined);
});

t.test('6, 7, 8: a request needs a session; with one it is forwarded unchanged, with the user and ticket upstream', async (t) => {
  const { gw, up } = await setup(t);
  const anonymous = await gw.request('/api/rest_j/v1/jobhistory/list');
  t.equal(anonymous.status, 401);
  t.same(anonymous.json(), { method: '/api/rest_j/v1/jobhistory/list', status: -1, message: NOT_LOGGED_IN, data: { code: 'LG_ERR_AUTH_REQUIRED' } });
  const { cookie } = await login(gw, 'hadoop', 'hadoop-pw');
  const answer = await gw.request('/api/rest_j/v1/jobhistory/list', { headers: { cookie: `theme=dark; ${cookie}; dataworkcloud_inner_request=false`, 'x-linkis-user': 'root' } });
  t.equal(answer.status, 200);
  const seen = up.received.at(-1)!;
  t.equal(seen.url, '/api/rest_j/v1/jobhistory/list');
  t.equal(seen.headers['x-linkis-user'], 'hadoop', 'the authenticated user, not the one the client wrote');
  t.equal(seen.headers.cookie, `theme=dark; ${cookie}; dataworkcloud_inner_request=true`, 'ticket and inner-request flag set by the gateway');
  for (const forged of [`${TICKET_COOKIE}=${cookie!.split('=')[1]!.replace(/^A/, 'B')}`, `${TICKET_COOKIE}=random`, `${TICKET_COOKIE}=`, `${TICKET_COOKIE}="%zz"`, `${TICKET_COOKIE}=${'A'.repeat(4000)}`]) {
    const refused = await gw.request('/api/rest_j/v1/jobhistory/list', { headers: { cookie: forged } });
    t.equal(refused.status, 401, forged.slice(0, 50));
    t.equal(refused.json().message, NOT_LOGGED_IN);
  }
  t.equal(up.received.length, 1, 'only the logged-in request reached the upstream');
});

t.test('pass-through requests reach the upstream without any identity the client made up', async (t) => {
  const { gw, up } = await setup(t, '  passThrough: ["^/api/rest_j/v1/jobhistory/open"]\n');
  await gw.request('/api/rest_j/v1/jobhistory/open', { headers: { 'x-linkis-user': 'root', cookie: `a=1; dataworkcloud_inner_request=true; ${TICKET_COOKIE}=forged` } });
  const anonymous = up.received.at(-1)!;
  t.equal(anonymous.headers['x-linkis-user'], undefined);
  t.equal(anonymous.headers.cookie, 'a=1', 'neither the inner-request flag nor an unverified ticket passes');
  const { cookie } = await login(gw, 'alice', 'alice-pw');
  await gw.request('/api/rest_j/v1/jobhistory/open', { headers: { 'x-linkis-user': 'root', cookie: cookie! } });
  const known = up.received.at(-1)!;
  t.equal(known.headers['x-linkis-user'], 'alice', 'a logged-in user is still named on a pass-through route');
  t.equal(known.headers.cookie, `${cookie}; dataworkcloud_inner_request=true`);
});

t.test('session settings follow a hot reload', async (t) => {
  const { gw } = await setup(t);
  const before = await login(gw, 'alice', 'alice-pw');
  const strategies = await passwordStrategy([{ name: 'alice', password: 'alice-pw' }]);
  await gw.writeConfig(securitySection(strategies, '', ', cookie: lg_session, secure: true'));
  t.equal((await gw.gateway.reload()).ok, true);
  const after = await login(gw, 'alice', 'alice-pw');
  t.match(String(after.answer.headers['set-cookie']), /^lg_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
  const renamed = String(after.answer.headers['set-cookie']).split(';')[0]!;
  t.equal((await gw.request(`${USER}/heartbeat`, { headers: { cookie: renamed } })).status, 200);
  t.equal((await gw.request(`${USER}/heartbeat`, { headers: { cookie: before.cookie! } })).status, 401, 'the old cookie name is no longer read');
});

t.test('9: logout clears the cookie and ends the session', async (t) => {
  const { gw } = await setup(t);
  const { cookie } = await login(gw, 'hadoop', 'hadoop-pw');
  const answer = await gw.request(`${USER}/logout`, { headers: { cookie: cookie! } });
  t.equal(answer.status, 200);
  t.equal(answer.json().message, 'Logout successful(退出登录成功)！');
  const cleared = [answer.headers['set-cookie']].flat().join('\n');
  t.match(cleared, new RegExp(`^${TICKET_COOKIE}=; Path=/; Max-Age=0`, 'm'));
  const after = await gw.request('/api/rest_j/v1/jobhistory/list', { headers: { cookie: cookie! } });
  t.equal(after.status, 401);
  t.equal((await gw.request(`${USER}/logout`)).status, 200, 'logout needs no login');
});

t.test('10: userInfo names the user; without a login it is a 400 carrying 11002, as in Linkis', async (t) => {
  const { gw } = await setup(t);
  const { cookie } = await login(gw, 'hadoop', 'hadoop-pw');
  const info = await gw.request(`${USER}/userInfo`, { headers: { cookie: cookie! } });
  t.same(info.json(), { method: '/api/rest_j/v1/user/userInfo', status: 0, message: 'get user information succeed!', data: { userName: 'hadoop' } });
  const anonymous = await gw.request(`${USER}/userInfo`);
  t.equal(anonymous.status, 400);
  t.equal(anonymous.json().status, 1);
  t.match(anonymous.json().message, /^login failed! reason: NonLoginException: errCode: 11002/);
});

t.test('11: heartbeat needs a session', async (t) => {
  const { gw } = await setup(t);
  const anonymous = await gw.request(`${USER}/heartbeat`);
  t.equal(anonymous.status, 401);
  t.equal(anonymous.json().status, -1);
  const { cookie } = await login(gw, 'hadoop', 'hadoop-pw');
  const answer = await gw.request(`${USER}/heartbeat`, { headers: { cookie: cookie! } });
  t.equal(answer.json().message, 'Maintain heartbeat success(维系心跳成功)');
});

t.test('12: baseinfo needs no login', async (t) => {
  const { gw } = await setup(t);
  const answer = await gw.request(`${USER}/baseinfo`);
  t.equal(answer.status, 200);
  t.same(Object.keys(answer.json().data).sort(), ['engineLogOnlyAdminEnable', 'linkisClusterName', 'resultSetExportEnable']);
});

t.test('13, 14: other user URIs are unknown, exact paths only, and no user URI is ever forwarded', async (t) => {
  const { gw, up } = await setup(t, '  passThrough: ["^/"]\n');
  const unknown = await gw.request(`${USER}/unknownThing`);
  t.equal(unknown.status, 400);
  t.equal(unknown.json().message, 'unknown request URI unknownThing');
  t.equal((await gw.request(`${USER}/login/`)).json().message, 'unknown request URI login/');
  for (const path of [`${USER}/register`, `${USER}/proxy?proxyUser=root`, `${USER}`, `${USER}/oauth-login`, `${USER}/./login/../x`]) {
    t.equal((await gw.request(path)).status, 400, path);
  }
  t.equal(up.received.length, 0);
});

t.test('15: a session idle past the timeout is refused (the 50 % refresh rule: test/core/session/sessions.test.ts)', async (t) => {
  const { gw } = await setup(t, '', ', ttl: 1s');
  const { cookie } = await login(gw, 'hadoop', 'hadoop-pw');
  t.equal((await gw.request(`${USER}/heartbeat`, { headers: { cookie: cookie! } })).status, 200);
  await sleep(1500);
  t.equal((await gw.request(`${USER}/heartbeat`, { headers: { cookie: cookie! } })).status, 401);
});

t.test('43: the gateway heartbeat lists gateway instances for logged-in users', async (t) => {
  const { gw } = await setup(t);
  t.equal((await gw.request('/api/rest_j/v1/gateway/heartbeat')).status, 401);
  const { cookie } = await login(gw, 'alice', 'alice-pw');
  const answer = await gw.request('/api/rest_j/v1/gateway/heartbeat', { headers: { cookie: cookie! } });
  t.equal(answer.status, 200);
  const body = answer.json();
  t.equal(body.message, 'Gateway heartbeat ok!');
  t.equal(body.data.isHealthy, true);
  t.same(body.data.gatewayList, [new URL(gw.gateway.url).host]);
  const v2 = await gw.request('/api/rest_j/v2/gateway/heartbeat', { headers: { cookie: cookie! } });
  t.equal(v2.json().message, 'The gatewayv1 not support version v2.');
});

t.test('43: the heartbeat lists the gateway itself with the registered linkis-mg-gateway instances, each once', async (t) => {
  const { gw } = await setup(t);
  const self = new URL(gw.gateway.url).host;
  const { cookie } = await login(gw, 'alice', 'alice-pw');
  const list = async () => (await gw.request('/api/rest_j/v1/gateway/heartbeat', { headers: { cookie: cookie! } })).json().data.gatewayList as string[];
  t.equal((await register(gw, 'linkis-mg-gateway', registration('linkis-mg-gateway', '127.0.0.9:9001', 9001, { hostName: '127.0.0.9', ipAddr: '127.0.0.9' }))).status, 204);
  t.same(await list(), [self, '127.0.0.9:9001'], 'another gateway registered in the shared registry does not hide this one');
  t.equal((await register(gw, 'linkis-mg-gateway', registration('linkis-mg-gateway', self, Number(new URL(gw.gateway.url).port)))).status, 204);
  t.same(await list(), [self, '127.0.0.9:9001'], 'registered itself: still listed once');
});


t.test('security.session.maxSessions bounds live sessions: one more login forgets the session used longest ago', async (t) => {
  const { gw } = await setup(t, '', ', maxSessions: 2');
  const info = (cookie: string) => gw.request(`${USER}/userInfo`, { headers: { cookie } });
  const first = (await login(gw, 'hadoop', 'hadoop-pw')).cookie!;
  const second = (await login(gw, 'alice', 'alice-pw')).cookie!;
  t.equal((await info(first)).status, 200, 'first is used again, so second is now the one used longest ago');
  const third = (await login(gw, 'hadoop', 'hadoop-pw')).cookie!;
  t.equal((await info(second)).status, 400, 'the least recently used session is forgotten');
  t.equal((await info(first)).status, 200);
  t.equal((await info(third)).status, 200);
  for (let i = 0; i < 20; i++) t.ok((await login(gw, 'alice', 'alice-pw')).cookie);
  const live = await Promise.all([first, third].map(async (cookie) => (await info(cookie)).status));
  t.same(live, [400, 400], 'a login loop pushes out old sessions instead of growing the table');
});
