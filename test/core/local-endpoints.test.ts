/**
 * Every endpoint the gateway answers itself names the request path as the envelope's `method`,
 * on success and on refusal, as Linkis does (the query string is not part of it).
 */
import t from 'tap';
import { startGateway } from '../helpers/gateway.js';
import { login, passwordStrategy, securitySection } from '../helpers/auth.js';
import type { Answer } from '../helpers/http.js';

const TOKEN = 'local-endpoints-token-0123456789abcdef';

/** A concrete path for each endpoint matched by a regex; an endpoint missing here fails the test. */
const SAMPLE_PATHS: Record<string, string> = {
  'user/unknown': '/api/rest_j/v1/user/no-such-thing',
  'gateway/heartbeat': '/api/rest_j/v1/gateway/heartbeat',
};

t.test('every locally answered endpoint answers with method = the request path, on success and refusal', async (t) => {
  const password = await passwordStrategy([{ name: 'hadoop', password: 'hadoop-pw', admin: true }]);
  const token = `    - use: token\n      options: { tokens: [ { code: "${TOKEN}", users: ["*"], hosts: ["*"], expires: null } ] }\n`;
  const gw = await startGateway(t, securitySection(token + password));
  const endpoints = gw.gateway.context.localEndpoints.list();
  t.ok(endpoints.length >= 12, 'user, gateway and microservice endpoints are all registered');
  const statuses = new Set<number>();
  for (const endpoint of endpoints) {
    const path = typeof endpoint.path === 'string' ? endpoint.path : SAMPLE_PATHS[endpoint.name];
    if (path === undefined) {
      t.fail(`no sample path for ${endpoint.name}: add one to SAMPLE_PATHS`);
      continue;
    }
    const { cookie } = await login(gw, 'hadoop', 'hadoop-pw');
    const json = { 'content-type': 'application/json' };
    const tries: [string, Promise<Answer>][] = [
      ['anonymous GET', gw.request(`${path}?probe=1`)],
      ['logged-in GET', gw.request(`${path}?probe=1`, { headers: { cookie: cookie! } })],
      ['logged-in POST', gw.request(`${path}?probe=1`, { method: 'POST', headers: { ...json, cookie: cookie! }, body: '{}' })],
      ['anonymous POST with a password', gw.request(path, { method: 'POST', headers: json, body: '{"userName":"hadoop","password":"hadoop-pw"}' })],
      ['anonymous POST with a token', gw.request(path, { method: 'POST', headers: { 'token-code': TOKEN, 'token-user': 'hadoop' } })],
    ];
    for (const [how, pending] of tries) {
      const answer = await pending;
      const body = answer.json();
      statuses.add(body.status);
      t.equal(body.method, path, `${endpoint.name}, ${how}: HTTP ${answer.status}, status ${body.status}`);
    }
  }
  t.ok(statuses.has(0) && statuses.has(-1) && statuses.has(1), 'successes and refusals were both checked');
});
