/** The oidc strategy: bearer JWTs against a JWKS (attack tokens are in test/security/auth.test.ts, S26). */
import t from 'tap';
import { startGateway, staticRegistry } from '../../helpers/gateway.js';
import { startUpstream } from '../../helpers/upstream.js';
import { buildProblems } from '../../helpers/config.js';
import { securitySection } from '../../helpers/auth.js';
import { startIdp } from '../../helpers/idp.js';
import { closedPort } from '../../helpers/upstream.js';
import { loadPlugin } from '../../../core/plugin-loader.js';
import { createLogger } from '../../../core/logger.js';
import { RegistryComposer } from '../../../core/registry/composer.js';
import type { AuthInstance, AuthRequest, PluginKit } from '../../../core/contracts.js';

const kit: PluginKit = {
  configDir: '/', resolvePath: (file) => file, logger: createLogger('silent'), registry: new RegistryComposer(), services: {}, watch: () => undefined,
};

function bearerRequest(token: string): AuthRequest {
  return { method: 'GET', path: '/', headers: { authorization: `Bearer ${token}` }, cookies: {}, clientIp: '127.0.0.1', requestUrl: 'http://gw/' };
}

const LIST = '/api/rest_j/v1/jobhistory/list';

t.test('a valid bearer token is forwarded as its subject, with a gateway ticket; the JWKS is fetched once', async (t) => {
  const idp = await startIdp(t);
  const up = await startUpstream('ps');
  t.teardown(() => up.close());
  const gw = await startGateway(t, securitySection(idp.strategy()) + staticRegistry({ 'linkis-ps-publicservice': [up] }));
  for (let i = 0; i < 5; i++) {
    const answer = await gw.request(LIST, { headers: { authorization: `Bearer ${await idp.sign({ sub: `user${i}` })}` } });
    t.equal(answer.status, 200);
    t.equal(up.received.at(-1)!.headers['x-linkis-user'], `user${i}`);
    t.match(String(up.received.at(-1)!.headers.cookie), /linkis_user_session_ticket_id_v1=.+; dataworkcloud_inner_request=true/);
  }
  t.equal(idp.fetches(), 1, 'the key set is cached');
  const noBearer = await gw.request(LIST, { headers: { authorization: 'Basic YTpi' } });
  t.equal(noBearer.status, 401, 'not a bearer token: not this strategy\'s, so the generic 401');
});

t.test('the user claim and admin groups are options', async (t) => {
  const idp = await startIdp(t);
  const gw = await startGateway(t, securitySection(idp.strategy(', userClaim: preferred_username, adminGroups: [ops]')));
  const token = await idp.sign({ sub: '7d1c', preferred_username: 'carol', groups: ['dev', 'ops'] });
  const answer = await gw.request('/api/rest_j/v1/user/userInfo', { headers: { authorization: `Bearer ${token}` } });
  t.equal(answer.json().data.userName, 'carol');
  const missing = await gw.request('/api/rest_j/v1/user/userInfo', { headers: { authorization: `Bearer ${await idp.sign({ sub: 'x' })}` } });
  t.equal(missing.status, 400, 'no preferred_username claim: not logged in');

  const plugin = await loadPlugin<AuthInstance>({ use: 'oidc', options: { jwksUrl: idp.jwksUrl, issuer: 'https://idp.example', audience: 'labelgate', adminGroups: ['ops'] } }, 'auth', kit);
  t.equal((await plugin.instance.authenticate!(bearerRequest(await idp.sign({ groups: ['ops'] }))))?.admin, true);
  t.equal((await plugin.instance.authenticate!(bearerRequest(await idp.sign({ groups: 'dev' }))))?.admin, false);
});

t.test('an unreachable JWKS fails closed', async (t) => {
  const port = await closedPort();
  const gw = await startGateway(t, securitySection(`    - use: oidc\n      options: { jwksUrl: "http://127.0.0.1:${port}/jwks", issuer: x, audience: y, jwksTimeout: 500ms }\n`));
  const idp = await startIdp(t);
  const answer = await gw.request(LIST, { headers: { authorization: `Bearer ${await idp.sign()}` } });
  t.equal(answer.status, 401);
  t.equal(answer.json().data.code, 'LG_ERR_AUTH_PLUGIN_FAILED');
});

t.test('the JWKS URL must be https, except on loopback; symmetric algorithms cannot be allowed', async (t) => {
  const http = await buildProblems(securitySection('    - use: oidc\n      options: { jwksUrl: "http://idp.example/jwks", issuer: x, audience: y }\n'));
  t.match(http[0]?.message, /https/);
  const hs = await buildProblems(securitySection('    - use: oidc\n      options: { jwksUrl: "https://idp.example/jwks", issuer: x, audience: y, algorithms: [HS256] }\n'));
  t.equal(hs[0]?.code, 'LG_ERR_CONFIG_PLUGIN_OPTIONS');
  const none = await buildProblems(securitySection('    - use: oidc\n      options: { jwksUrl: "https://idp.example/jwks", issuer: x, audience: y, algorithms: [none] }\n'));
  t.equal(none[0]?.code, 'LG_ERR_CONFIG_PLUGIN_OPTIONS');
  t.same(await buildProblems(securitySection('    - use: oidc\n      options: { jwksUrl: "https://idp.example/jwks", issuer: x, audience: [y, z] }\n')), []);
});
