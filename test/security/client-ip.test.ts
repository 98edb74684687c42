/**
 * spec/security-cases.md S1, S4, S5, S6: the client IP comes from the socket, or from
 * X-Forwarded-For only behind `server.trustedProxies`. See also test/core/http-forwarder.test.ts
 * ("hop-by-hop headers … rebuilt (S6)", "behind a trusted proxy … (S4)").
 */
import t from 'tap';
import { startGateway, staticRegistry } from '../helpers/gateway.js';
import { startUpstream } from '../helpers/upstream.js';
import { captureLog } from '../helpers/logs.js';
import { login, passwordStrategy, securitySection } from '../helpers/auth.js';

const LIST = '/api/rest_j/v1/jobhistory/list';
const TRUSTED = 'server: { host: 127.0.0.1, port: 0, trustedProxies: ["127.0.0.1"] }\n';

async function upstream(t: Parameters<typeof startGateway>[0]) {
  const up = await startUpstream('ps');
  t.teardown(() => up.close());
  return up;
}

t.test('S1: a batch-request with forged X-Real-IP neither passes the allow list nor reaches the admin API', async (t) => {
  const up = await upstream(t);
  const forged = { 'x-real-ip': '10.9.9.9', 'x-forwarded-for': '10.9.9.9', 'content-type': 'application/json' };
  const pipeline = JSON.stringify({ pipeline: [{ method: 'GET', path: '/admin/config', headers: { 'X-Real-IP': '127.0.0.1' } }] });
  const listed = await startGateway(t, 'security: { ipAllowList: ["10.9.9.9"], passThrough: ["^/"] }\n' + staticRegistry({ 'linkis-ps-publicservice': [up] }));
  const refused = await listed.request('/apisix/batch-requests', { method: 'POST', headers: forged, body: pipeline });
  t.equal(refused.status, 403, 'the allow list saw the socket address, 127.0.0.1');
  t.equal(refused.json().data.code, 'LG_ERR_IP_NOT_ALLOWED');

  const open = await startGateway(t, 'security: { passThrough: ["^/"] }\n' + staticRegistry({ 'linkis-ps-publicservice': [up] }));
  const batch = await open.request('/apisix/batch-requests', { method: 'POST', headers: { ...forged, 'x-real-ip': '127.0.0.1' }, body: pipeline });
  t.equal(batch.status, 404, 'there is no batch endpoint: no sub-request is ever made');
  for (const path of ['/admin/config', '/admin/reload', '/eureka/apps', '/metrics', '/readyz']) {
    const answer = await open.request(path, { headers: { 'x-real-ip': '127.0.0.1', 'x-forwarded-for': '127.0.0.1' } });
    t.equal(answer.status, 404, `${path}: the admin API is not on the data plane`);
    t.notOk('loadedAt' in (answer.json().data ?? {}));
  }
  t.equal(up.received.length, 0);
});

t.test('S4: a blocked client cannot pass the allow list with X-Forwarded-For; behind a trusted proxy the right-most untrusted hop counts', async (t) => {
  const up = await upstream(t);
  const security = 'security: { ipAllowList: ["10.0.0.1"], passThrough: ["^/"] }\n' + staticRegistry({ 'linkis-ps-publicservice': [up] });
  const direct = await startGateway(t, security);
  t.equal((await direct.request(LIST, { headers: { 'x-forwarded-for': '10.0.0.1' } })).status, 403);
  const proxied = await startGateway(t, TRUSTED + security);
  t.equal((await proxied.request(LIST, { headers: { 'x-forwarded-for': '10.0.0.1' } })).status, 200, 'the proxy says 10.0.0.1');
  t.equal((await proxied.request(LIST, { headers: { 'x-forwarded-for': '10.0.0.1, 6.6.6.6' } })).status, 403, 'the client put 10.0.0.1 first; the proxy appended 6.6.6.6');
  t.equal((await proxied.request(LIST, { headers: { 'x-forwarded-for': 'garbage' } })).status, 403, 'an unparsable hop is nobody');
});

t.test('S5: X-Real-IP from a client without trusted proxies is ignored, and a warning is logged once', async (t) => {
  const up = await upstream(t);
  const log = captureLog('info');
  const gw = await startGateway(t, 'security: { ipAllowList: ["10.0.0.1"], passThrough: ["^/"] }\n' + staticRegistry({ 'linkis-ps-publicservice': [up] }), { logger: log.logger });
  for (let i = 0; i < 3; i++) t.equal((await gw.request(LIST, { headers: { 'x-real-ip': '10.0.0.1' } })).status, 403);
  const warnings = log.lines().filter((line) => String(line.msg).includes('X-Forwarded-For/X-Real-IP ignored'));
  t.equal(warnings.length, 1);
  t.equal(warnings[0]!.level, 40);
});

t.test('S6: forwarded headers from an untrusted client are dropped, and every key uses the computed client IP', async (t) => {
  const up = await upstream(t);
  const gw = await startGateway(t, securitySection(await passwordStrategy([{ name: 'alice', password: 'alice-pw' }]), '  passThrough: ["^/api/rest_j/v1/jobhistory/"]\n') + staticRegistry({ 'linkis-ps-publicservice': [up] }));
  await gw.request(LIST, { headers: { 'x-forwarded-for': '1.2.3.4', forwarded: 'for=1.2.3.4', 'x-real-ip': '1.2.3.4' } });
  const seen = up.received.at(-1)!.headers;
  t.equal(seen['x-forwarded-for'], '127.0.0.1');
  t.equal(seen['x-real-ip'], '127.0.0.1');
  t.equal(seen.forwarded, undefined);
  // The login throttle keys on the computed IP: rotating X-Forwarded-For does not reset it.
  for (let i = 0; i < 5; i++) await login(gw, 'alice', 'wrong', { 'x-forwarded-for': `10.0.0.${i}` });
  t.equal((await login(gw, 'alice', 'alice-pw', { 'x-forwarded-for': '10.0.0.99' })).answer.status, 429);
});
