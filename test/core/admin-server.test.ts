/** The admin listener's own routes and its deny-by-default token check. */
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { startGateway } from '../helpers/gateway.js';
import { captureLog } from '../helpers/logs.js';
import { parseRawResponse, rawRequest } from '../helpers/http.js';
import { TEST_AUTH_FILES, TEST_AUTH_YAML } from '../helpers/test-auth.js';

const TOKEN = 't'.repeat(32);
const BEARER = { authorization: `Bearer ${TOKEN}` };

t.test('explain answers GET with a query as it answers POST with a body', async (t) => {
  const gw = await startGateway(t, 'registry: { static: [{ app: linkis-ps-publicservice, instances: ["10.0.0.9:9105"] }] }\n');
  const viaGet = (await gw.admin('/admin/explain?method=GET&path=/api/rest_j/v1/jobhistory/list')).json();
  const viaPost = (await gw.admin('/admin/explain', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method: 'GET', path: '/api/rest_j/v1/jobhistory/list' }),
  })).json();
  t.same(viaGet, viaPost);
  t.match(viaGet.data, { application: 'linkis-ps-publicservice', candidates: [{ instance: '10.0.0.9:9105' }] });
  const missing = await gw.admin('/admin/explain?method=GET');
  t.equal(missing.status, 400);
  t.equal(missing.json().data.code, 'LG_ERR_ADMIN_BAD_REQUEST');
});

t.test('explain is the resolver\'s trace: the auth outcome, local endpoints and pass-through, as a real request meets them', async (t) => {
  const gw = await startGateway(t, `${TEST_AUTH_YAML.replace('security: {', 'security: { passThrough: ["^/api/rest_j/v1/open/"],')}registry: { static: [{ app: linkis-ps-publicservice, instances: ["10.0.0.9:9105"] }] }
`, { files: TEST_AUTH_FILES });
  const explain = async (body: object) => (await gw.admin('/admin/explain', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json().data;
  const anonymous = await explain({ method: 'GET', path: '/api/rest_j/v1/jobhistory/list' });
  t.match(anonymous, { passThrough: false, auth: { code: 'LG_ERR_AUTH_REQUIRED' }, application: 'linkis-ps-publicservice' }, 'no credentials: refused at auth, and the route it takes once logged in');
  t.equal((await gw.request('/api/rest_j/v1/jobhistory/list')).json().data.code, 'LG_ERR_AUTH_REQUIRED', 'as the real request is');
  const alice = await explain({ method: 'GET', path: '/api/rest_j/v1/jobhistory/list', headers: { 'X-Test-User': 'alice' } });
  t.match(alice, { user: 'alice', application: 'linkis-ps-publicservice' });
  t.notOk(alice.auth, 'valid credentials: no refusal');
  const open = await explain({ method: 'GET', path: '/api/rest_j/v1/open/x' });
  t.match(open, { passThrough: true });
  t.notOk(open.auth);
  const login = await explain({ method: 'POST', path: '/api/rest_j/v1/user/login' });
  t.match(login, { endpoint: 'login' }, 'a local endpoint is reported, not a route');
  t.notOk(login.application);
});

t.test('explain checks the IP allow list against the client it is given', async (t) => {
  const gw = await startGateway(t, 'security: { ipAllowList: ["10.0.0.0/8"] }\nregistry: { static: [{ app: linkis-ps-publicservice, instances: ["10.0.0.9:9105"] }] }\n');
  const explain = async (client?: string) => (await gw.admin('/admin/explain', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method: 'GET', path: '/api/rest_j/v1/jobhistory/list', ...(client ? { client } : {}) }),
  })).json().data;
  t.match(await explain('192.168.1.1'), { stage: 'screen', error: { code: 'LG_ERR_IP_NOT_ALLOWED' } });
  t.notOk((await explain('10.1.2.3')).error);
});

t.test('with admin.token the dashboard page and its assets are open, its data and /metrics are not', async (t) => {
  const gw = await startGateway(t, `admin: { host: 127.0.0.1, port: 0, token: ${TOKEN} }\n`);
  for (const path of ['/', '/ui/dashboard.js', '/ui/dashboard.css', '/healthz', '/readyz']) t.equal((await gw.admin(path)).status, 200, path);
  for (const path of ['/admin/instances', '/admin/config', '/admin/traffic', '/admin/routes', '/metrics']) {
    t.equal((await gw.admin(path)).status, 401, path);
  }
  const { port } = new URL(gw.gateway.adminUrl);
  for (const target of ['/ui/../admin/config', '/ui/%2e%2e/admin/config', '/ui/..%2fadmin/config', '//admin/config']) {
    const raw = await rawRequest(Number(port), `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    t.not(parseRawResponse(raw).status, 200, `${target} does not reach the config unauthenticated`);
  }
  t.equal((await gw.admin('/admin/traffic', { headers: BEARER })).status, 200);
  const page = await gw.admin('/');
  t.match(page.headers['content-type'], /^text\/html/);
  t.match(page.headers['content-security-policy'], /script-src 'self'/);
  t.equal(page.headers['x-frame-options'], 'DENY');
});

t.test('/admin/config counts the rules left out of the proof; explain says when the matched one is', async (t) => {
  const rules = (unproven: boolean) => `parsers:
  - use: rules
    options:
      rules:
        - { name: proven, match: "/p/.+", application: echo }
        - { name: twice, match: "/twice/(a+)-\\\\1", application: echo, unproven: ${unproven} }
`;
  const log = captureLog('info');
  const gw = await startGateway(t, rules(true), { logger: log.logger });
  t.match(log.lines().filter((line) => line.code === 'LG_WARN_CONFIG_UNPROVEN'), [{ level: 40, pointer: '/parsers/0/options/rules/1/match', msg: /rules\/twice/ }], 'start logs the warning');
  const status = (await gw.admin('/admin/config')).json();
  t.equal(status.unprovenRules, 1);
  const line = (await readFile(gw.configFile, 'utf8')).split('\n').findIndex((text) => text.includes('name: twice')) + 1;
  t.match(status.warnings, [{ code: 'LG_WARN_CONFIG_UNPROVEN', file: gw.configFile, line, pointer: '/parsers/0/options/rules/1/match', message: /rules\/twice/ }]);
  t.equal(status.warnings.length, 1);
  const explained = (await gw.admin('/admin/explain?method=GET&path=/twice/aa-aa')).json();
  t.equal(explained.data.rule, 'twice');
  t.match(explained.data.unproven, /[Bb]ackreference/);
  const proven = (await gw.admin('/admin/explain?method=GET&path=/p/x')).json();
  t.equal(proven.data.rule, 'proven');
  t.notOk('unproven' in proven.data);

  const clean = await startGateway(t, 'parsers: [ { use: rules, options: { rules: [ { name: p, match: "/p/.+", application: echo } ] } } ]\n');
  const cleanStatus = (await clean.admin('/admin/config')).json();
  t.equal(cleanStatus.unprovenRules, 0);
  t.same(cleanStatus.warnings, []);
});
