/** The screening step of core/security.ts: CORS, the IP allow list, the referer check, pass-through (acceptance 26–29). */
import t from 'tap';
import { startGateway, staticRegistry, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { buildProblems } from '../helpers/config.js';
import { passwordStrategy, securitySection, login } from '../helpers/auth.js';

const LIST = '/api/rest_j/v1/jobhistory/list';
const APP = 'https://console.example.com';

async function setup(t: Parameters<typeof startGateway>[0], extra: string): Promise<{ gw: TestGateway; up: Upstream }> {
  const up = await startUpstream('ps');
  t.teardown(() => up.close());
  const gw = await startGateway(t, securitySection(await passwordStrategy([{ name: 'alice', password: 'alice-pw' }]), extra) + staticRegistry({ 'linkis-ps-publicservice': [up] }));
  return { gw, up };
}

t.test('CORS: a preflight is answered without authentication, for listed origins only', async (t) => {
  const { gw, up } = await setup(t, `  cors: { origins: ["${APP}"] }\n`);
  const preflight = { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } };
  const answer = await gw.request(LIST, preflight);
  t.equal(answer.status, 204);
  t.equal(answer.headers['access-control-allow-origin'], APP);
  t.equal(answer.headers['access-control-allow-credentials'], 'true');
  t.match(String(answer.headers['access-control-allow-methods']), /POST/);
  t.equal(answer.headers['access-control-max-age'], '600');
  t.equal(answer.headers.vary, 'Origin');
  const stranger = await gw.request(LIST, { ...preflight, headers: { ...preflight.headers, origin: 'https://evil.example' } });
  t.equal(stranger.status, 204);
  t.equal(stranger.headers['access-control-allow-origin'], undefined, 'an unlisted origin gets no CORS header at all');
  t.equal(stranger.headers['access-control-allow-methods'], undefined);
  t.equal(up.received.length, 0, 'preflights are never forwarded');
});

t.test('CORS: every answer carries the headers, errors and proxied ones alike; a plain OPTIONS is not a preflight', async (t) => {
  const { gw } = await setup(t, `  cors: { origins: ["${APP}"] }\n`);
  const denied = await gw.request(LIST, { headers: { origin: APP } });
  t.equal(denied.status, 401);
  t.equal(denied.headers['access-control-allow-origin'], APP, 'the browser may read the 401');
  const { cookie } = await login(gw, 'alice', 'alice-pw', { origin: APP });
  const proxied = await gw.request(LIST, { headers: { origin: APP, cookie: cookie! } });
  t.equal(proxied.status, 200);
  t.equal(proxied.headers['access-control-allow-origin'], APP);
  t.equal((await gw.request(LIST, { method: 'OPTIONS', headers: { origin: APP } })).status, 401, 'OPTIONS without Access-Control-Request-Method needs a login');
  t.equal((await gw.request(LIST, { headers: { origin: 'HTTPS://CONSOLE.EXAMPLE.COM:443' } })).headers['access-control-allow-origin'], APP, 'origins compare canonically');
});

t.test('CORS: "*" is refused with credentials, and every origin must be an origin', async (t) => {
  const star = await buildProblems('security: { cors: { origins: ["*"] } }\n');
  t.match(star[0]?.message, /credentials/);
  t.equal(star[0]?.pointer, '/security/cors/origins/0');
  t.match((await buildProblems('security: { cors: { origins: ["console.example.com"] } }\n'))[0]?.message, /not an origin/);
  t.same(await buildProblems('security: { cors: { origins: ["*"], credentials: false } }\n'), []);
  const { gw } = await setup(t, '  cors: { origins: ["*"], credentials: false }\n');
  const answer = await gw.request(LIST, { headers: { origin: 'https://anyone.example' } });
  t.equal(answer.headers['access-control-allow-origin'], '*');
  t.equal(answer.headers['access-control-allow-credentials'], undefined);
});

t.test('28: the referer check refuses foreign, missing and PATCH requests with 412, host compared exactly', async (t) => {
  const { gw } = await setup(t, '  referer: { enabled: true, allow: [good.com, "https://app.example:8443"] }\n  passThrough: ["^/api/rest_j/v1/jobhistory/"]\n');
  const cases: [Record<string, string>, string, number, string?][] = [
    [{ referer: 'http://evil.com/' }, 'GET', 412, 'Unallowed cross-site request(不允许的跨站请求)！'],
    [{ referer: 'http://good.com.evil.com/' }, 'GET', 412],
    [{ referer: 'http://evil.com/?good.com' }, 'GET', 412],
    [{}, 'GET', 412, 'referer为空,不能继续访问'],
    [{ referer: 'http://good.com/x' }, 'PATCH', 412, 'Do not use HTTP verbs to tamper with(不可使用HTTP动词篡改)！'],
    [{ referer: 'http://good.com/x' }, 'GET', 200],
    [{ referer: 'http://good.com:8080/x' }, 'GET', 200],
    [{ referer: 'https://app.example:8443/x' }, 'GET', 200],
    [{ referer: 'http://app.example:8443/x' }, 'GET', 412],
  ];
  for (const [headers, method, status, message] of cases) {
    const answer = await gw.request(LIST, { method, headers });
    t.equal(answer.status, status, `${method} ${headers.referer ?? 'no referer'}`);
    if (status === 412) t.equal(answer.json().status, 2);
    if (message) t.equal(answer.json().message, message);
  }
});

t.test('26, 29: pass-through skips login; a client outside the IP allow list is refused first', async (t) => {
  const { gw, up } = await setup(t, '  passThrough: ["^/api/rest_j/v1/jobhistory/open"]\n');
  t.equal((await gw.request('/api/rest_j/v1/jobhistory/open')).status, 200);
  t.equal((await gw.request('/api/rest_j/v1/jobhistory/opened')).status, 200, 'anchored at the start: a prefix regex as written');
  t.equal((await gw.request('/x/api/rest_j/v1/jobhistory/open')).status, 401, 'never a substring match');
  t.equal(up.received.length, 2);
  const listed = await setup(t, '  ipAllowList: ["10.0.0.0/8"]\n  passThrough: ["^/"]\n');
  const answer = await listed.gw.request(LIST);
  t.equal(answer.status, 403);
  t.same(answer.json(), { method: LIST, status: 3, message: '127.0.0.1 is not in whitelist', data: { code: 'LG_ERR_IP_NOT_ALLOWED' } });
  t.equal((await listed.gw.request('/api/rest_j/v1/user/baseinfo')).status, 403, 'the user endpoints too');
});
