/** examples/auth/cookie-sso.js, booted in a gateway against a fake SSO server. */
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { startGateway, staticRegistry } from '../helpers/gateway.js';
import { startUpstream } from '../helpers/upstream.js';
import { repoPath } from '../helpers/paths.js';
import { securitySection } from '../helpers/auth.js';

const LIST = '/api/rest_j/v1/jobhistory/list';

async function setup(t: Parameters<typeof startGateway>[0]) {
  const calls: string[] = [];
  const sso = await startUpstream('sso', (req, res) => {
    calls.push(`${req.method} ${req.url}`);
    const token = new URL(req.url!, 'http://x').searchParams.get('token');
    if (req.url!.startsWith('/validate') && token === 'good-token') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"user":"alice"}');
    } else if (req.url!.startsWith('/validate') && token === 'boom') {
      res.writeHead(500).end();
    } else {
      res.writeHead(req.url!.startsWith('/logout') ? 204 : 401).end();
    }
  });
  const up = await startUpstream('ps');
  t.teardown(() => Promise.all([sso.close(), up.close()]));
  const plugin = await readFile(repoPath('examples', 'auth', 'cookie-sso.js'), 'utf8');
  const strategies = `    - use: ./cookie-sso.js\n      options: { server: "${sso.url}", cacheTtl: 60000 }\n`;
  const gw = await startGateway(t, securitySection(strategies) + staticRegistry({ 'linkis-ps-publicservice': [up] }), { files: { 'cookie-sso.js': plugin } });
  return { gw, sso, up, calls };
}

t.test('a browser without a session is told where to sign in', async (t) => {
  const { gw, sso } = await setup(t);
  const answer = await gw.request(`${LIST}?page=2`);
  t.equal(answer.status, 401);
  const body = answer.json();
  t.equal(body.data.enableSSO, true);
  t.equal(body.data.SSOURL, `${sso.url}/login?service=${encodeURIComponent(`${gw.gateway.url}${LIST}?page=2`)}`);
});

t.test('a cookie the SSO server vouches for is forwarded as its user; the answer is cached', async (t) => {
  const { gw, up, calls } = await setup(t);
  for (let i = 0; i < 3; i++) t.equal((await gw.request(LIST, { headers: { cookie: 'SSO_TOKEN=good-token' } })).status, 200);
  t.equal(up.received.at(-1)!.headers['x-linkis-user'], 'alice');
  t.equal(calls.filter((call) => call.startsWith('GET /validate')).length, 1);
  t.equal((await gw.request(LIST, { headers: { cookie: 'SSO_TOKEN=other' } })).status, 401);
});

t.test('an SSO server that fails makes the gateway refuse, not let through', async (t) => {
  const { gw, up } = await setup(t);
  const answer = await gw.request(LIST, { headers: { cookie: 'SSO_TOKEN=boom' } });
  t.equal(answer.status, 401);
  t.equal(answer.json().data.code, 'LG_ERR_AUTH_PLUGIN_FAILED');
  t.equal(up.received.length, 0);
});

t.test('logging out of the gateway logs out of the SSO server too', async (t) => {
  const { gw, calls } = await setup(t);
  const answer = await gw.request('/api/rest_j/v1/user/logout', { headers: { cookie: 'SSO_TOKEN=good-token' } });
  t.equal(answer.status, 200);
  t.ok(calls.includes('POST /logout?token=good-token'));
});
