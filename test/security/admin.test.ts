/**
 * spec/security-cases.md S2, S3, S7, S28: the admin listener is safe by construction, config
 * values are data, and the data plane discloses nothing about the deployment.
 */
import t from 'tap';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Gateway } from '../../core/gateway.js';
import { createLogger } from '../../core/logger.js';
import { ConfigError } from '../../core/config-errors.js';
import { makeTempDir, startGateway, staticRegistry } from '../helpers/gateway.js';
import { startUpstream } from '../helpers/upstream.js';
import { buildProblems } from '../helpers/config.js';
import { repoPath } from '../helpers/paths.js';
import { TEST_SECRET } from '../helpers/auth.js';

const TOKEN = 'admin-token-0123456789abcdef0123456789';
const EUREKA = 'registry: { eureka: { auth: { user: eureka, password: eureka-password-123 } } }\n';

/** Starts a gateway from `yaml` and reports the start-up error code, or 'started'. */
async function startOutcome(yaml: string): Promise<string> {
  const dir = await makeTempDir();
  const file = path.join(dir, 'gateway.yaml');
  await writeFile(file, `server: { host: 127.0.0.1, port: 0 }\n${yaml}`);
  try {
    const gateway = await Gateway.start({ configFile: file, watch: false, logger: createLogger('silent') });
    await gateway.close();
    return 'started';
  } catch (error) {
    return error instanceof ConfigError ? error.code : String(error);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

t.test('S2: an admin listener off loopback without a strong token and Eureka credentials does not start', async (t) => {
  const offLoopback = (extra: string) => `admin: { host: 0.0.0.0, port: 0${extra} }\n`;
  t.equal(await startOutcome(offLoopback('')), 'LG_ERR_CONFIG_ADMIN_EXPOSED', 'no token');
  t.equal(await startOutcome(offLoopback(', token: changeme') + EUREKA), 'LG_ERR_CONFIG_ADMIN_EXPOSED', 'a weak token');
  t.equal(await startOutcome(offLoopback(`, token: ${TOKEN}`)), 'LG_ERR_CONFIG_ADMIN_EXPOSED', 'no registry.eureka.auth');
  t.equal(await startOutcome(offLoopback(`, token: ${TOKEN}`) + 'registry: { eureka: { auth: { user: e, password: short } } }\n'), 'LG_ERR_CONFIG_ADMIN_EXPOSED', 'a weak Eureka password');
  t.equal(await startOutcome(offLoopback(`, token: ${TOKEN}`) + EUREKA), 'started');
  t.equal(await startOutcome('admin: { port: 0 }\n'), 'started', 'the default admin host is loopback, where no token is needed');
  const [problem] = await buildProblems('admin: { host: "::", port: 0 }\n');
  t.equal(problem?.pointer, '/admin/host', '`labelgate check` says so too, at the line');
});

t.test('S2: a reload cannot drop the admin token while the listener is off loopback', async (t) => {
  const gw = await startGateway(t, `admin: { host: 0.0.0.0, port: 0, token: ${TOKEN} }\n${EUREKA}`);
  await gw.writeConfig(`admin: { host: 127.0.0.1, port: 0 }\n${EUREKA}`);
  const outcome = await gw.gateway.reload();
  t.equal(outcome.ok, false, 'the listener stays bound to 0.0.0.0 whatever the file now says');
  t.equal(outcome.ok ? '' : outcome.error.code, 'LG_ERR_CONFIG_ADMIN_EXPOSED');
  t.equal((await gw.admin('/admin/config')).status, 401);
});

t.test('S3: every route of the live admin route table refuses a request without credentials', async (t) => {
  const gw = await startGateway(t, `admin: { host: 127.0.0.1, port: 0, token: ${TOKEN} }\n${EUREKA}`);
  const routes = gw.gateway.adminRoutes;
  // Open by design: the probes, and the dashboard's static files (no data; the page asks for the token).
  const open = (url: string) => url === '/healthz' || url === '/readyz' || url === '/' || url.startsWith('/ui/');
  const guarded = routes.filter((route) => !open(route.url));
  t.ok(guarded.length >= 3, `${guarded.length} guarded routes`);
  for (const route of guarded) {
    const url = route.url.replace(/:[^/]+/g, 'x').replace(/\*/g, 'x');
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${Buffer.from('eureka:wrong').toString('base64')}`]) {
      const answer = await gw.admin(url, { method: route.method, headers: authorization ? { authorization } : {} });
      t.ok(answer.status === 401 || answer.status === 403, `${route.method} ${url} with ${authorization ?? 'nothing'}: ${answer.status}`);
    }
  }
  t.equal((await gw.admin('/no/such/route')).status, 401, 'paths no route serves are refused before the not-found handler');
  t.equal((await gw.admin(`/admin/config?token=${TOKEN}`)).status, 401, 'a token in the query does not count');
  t.equal((await gw.admin('/admin/config', { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
  t.equal((await gw.admin('/healthz')).status, 200, 'health probes stay open');
  for (const route of routes.filter((r) => r.url === '/' || r.url.startsWith('/ui/'))) {
    const page = await gw.admin(route.url.replace(/\*/g, 'dashboard.js'));
    t.notMatch(page.text, /127\.0\.0\.1|linkis-/, `${route.url} is a static file with no registry data`);
  }
  const eureka = await gw.admin('/eureka/apps');
  t.equal(eureka.status, 401);
  t.match(String(eureka.headers['www-authenticate']), /^Basic/);
  const basic = `Basic ${Buffer.from('eureka:eureka-password-123').toString('base64')}`;
  t.not((await gw.admin('/eureka/apps', { headers: { authorization: basic } })).status, 401, 'Eureka clients pass with their credentials');
});

t.test('S7: config values are data: template syntax round-trips literally, unsafe YAML tags are refused, nothing evaluates', async (t) => {
  const literals = ["#{T(java.lang.Runtime).getRuntime().exec('id')}", '${7*7}', '{{7*7}}', '<%= 7*7 %>'];
  const up = await startUpstream('ps');
  t.teardown(() => up.close());
  const code = 'S7-token-0123456789abcdef0123';
  const yaml = `security:\n  session: { secret: ${TEST_SECRET} }\n  auth:\n    - use: token\n      options:\n        tokens:\n          - { code: ${code}, users: ${JSON.stringify(literals)}, hosts: ["*"] }\n` + staticRegistry({ 'linkis-ps-publicservice': [up] });
  const gw = await startGateway(t, yaml);
  for (const user of literals) {
    const answer = await gw.request('/api/rest_j/v1/jobhistory/list', { headers: { 'token-code': code, 'token-user': user } });
    t.equal(answer.status, 200, user);
    t.equal(up.received.at(-1)!.headers['x-linkis-user'], user, 'the upstream sees the literal value');
  }
  for (const tag of ['!!js/function "function () { return 1 }"', '!!python/object/apply:os.system ["id"]', '!<tag:yaml.org,2002:js/regexp> /x/']) {
    const [problem] = await buildProblems(`admin: { token: ${tag} }\n`);
    t.ok(problem?.code === 'LG_ERR_CONFIG_YAML' || problem?.code === 'LG_ERR_CONFIG_SCHEMA', `${tag}: ${problem?.code}`);
  }
  const sources: string[] = [];
  for (const dir of ['core', 'core/session', 'core/registry', 'plugins/auth', 'plugins/parsers', 'plugins/routers', 'plugins/interceptors']) {
    for (const file of await readdir(repoPath(dir)).catch(() => [])) if (file.endsWith('.ts')) sources.push(path.join(dir, file));
  }
  for (const file of sources) t.notMatch(await readFile(repoPath(file), 'utf8'), /\beval\s*\(|new\s+Function\s*\(/, `${file} evaluates no strings`);
  const writes = gw.gateway.adminRoutes.filter((route) => route.method !== 'GET' && /config|route|plugin/.test(route.url) && route.url !== '/admin/reload');
  t.same(writes, [], 'no admin route takes config or route definitions (reload only re-reads the file)');
});

t.test('S28: the data-plane listener has no introspection endpoints', async (t) => {
  const gw = await startGateway(t, 'security: { passThrough: ["^/"] }\n');
  for (const path of ['/services.json', '/actuator/gateway/routes', '/actuator/env', '/admin/routes', '/admin/config', '/metrics', '/eureka/apps', '/dashboard', '/']) {
    const answer = await gw.request(path);
    t.equal(answer.status, 404, path);
  }
  const publicEndpoints = gw.gateway.context.localEndpoints.list().filter((endpoint) => endpoint.access === 'public').map((endpoint) => endpoint.name);
  t.same(publicEndpoints.sort(), ['user/baseinfo', 'user/login', 'user/logout', 'user/publicKey', 'user/token-login', 'user/unknown', 'user/userInfo'],
    'only the Linkis user endpoints answer without a login, and none lists services or instances');
  t.equal((await gw.request('/api/rest_j/v1/gateway/heartbeat')).status, 401, 'the gateway list needs a login, whatever the pass-through list says');
});
