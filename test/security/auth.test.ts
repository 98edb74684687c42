/**
 * spec/security-cases.md S25, S26, S27: authentication fails closed, JWT classics are refused
 * with one generic answer, and deny lists run before any credential is looked at.
 */
import t from 'tap';
import fc from 'fast-check';
import { readFile, writeFile } from 'node:fs/promises';
import { exportSPKI, SignJWT, UnsecuredJWT } from 'jose';
import { startGateway, staticRegistry, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { captureLog } from '../helpers/logs.js';
import { AUDIENCE, ISSUER, startIdp } from '../helpers/idp.js';
import { login, passwordStrategy, securitySection, TICKET_COOKIE } from '../helpers/auth.js';

const LIST = '/api/rest_j/v1/jobhistory/list';
const TOKEN = 'S25-token-0123456789abcdef01234567';

/** Test strategies: each counts its calls in globalThis.__authCalls, so a test can tell whether it was asked. */
const FILES = {
  'throws.js': `export default { kind: 'auth', name: 'throws', version: '1', priority: 0, optionsSchema: { type: 'object' },
    create() { return { authenticate(request) { globalThis.__authCalls.throws++; if (request.headers['x-fail'] === 'string') throw 'a string'; if (request.headers['x-fail']) throw new Error('backend exploded'); return undefined; } }; } };`,
  'hangs.js': `export default { kind: 'auth', name: 'hangs', version: '1', priority: 0, optionsSchema: { type: 'object' },
    create() { return { authenticate(request) { globalThis.__authCalls.hangs++; return request.headers['x-hang'] ? new Promise(() => {}) : undefined; } }; } };`,
  'spy.js': `export default { kind: 'auth', name: 'spy', version: '1', priority: 0, optionsSchema: { type: 'object' },
    create() { return {
      authenticate(request) { globalThis.__authCalls.spy++; return request.headers['x-spy-user'] ? { user: request.headers['x-spy-user'], admin: false, via: 'spy' } : undefined; },
      login(credentials) { globalThis.__authCalls.spyLogin++; return undefined; },
    }; } };`,
};

const calls = { throws: 0, hangs: 0, spy: 0, spyLogin: 0 };
(globalThis as Record<string, unknown>).__authCalls = calls;

async function upstream(t: Parameters<typeof startGateway>[0]): Promise<Upstream> {
  const up = await startUpstream('ps');
  t.teardown(() => up.close());
  return up;
}

t.test('S25: a strategy that throws or hangs refuses the request; a later strategy cannot let it through', async (t) => {
  const up = await upstream(t);
  const log = captureLog('info');
  const strategies = '    - use: ./throws.js\n    - use: ./hangs.js\n    - use: ./spy.js\n';
  const gw = await startGateway(t, securitySection(strategies, '  authTimeout: 300ms\n') + staticRegistry({ 'linkis-ps-publicservice': [up] }), { files: FILES, logger: log.logger });
  const ok = await gw.request(LIST, { headers: { 'x-spy-user': 'alice' } });
  t.equal(ok.status, 200, 'the chain works when nothing fails');
  for (const headers of [{ 'x-fail': '1' }, { 'x-fail': 'string' }, { 'x-hang': '1' }] as Record<string, string>[]) {
    const answer = await gw.request(LIST, { headers: { ...headers, 'x-spy-user': 'alice' } });
    t.equal(answer.status, 401, JSON.stringify(headers));
    t.same(answer.json().data, { code: 'LG_ERR_AUTH_PLUGIN_FAILED' });
    t.notMatch(answer.text, /exploded|string|300/, 'no detail in the answer');
  }
  t.equal(up.received.length, 1, 'the upstream saw only the request nothing failed on');
  t.match(log.text(), /backend exploded/, 'the cause is logged for operators');
  t.match(log.text(), /no answer within 300 ms/);
});

t.test('S25: malformed tokens, tickets and bearer values are a 401, never a 500', async (t) => {
  const up = await upstream(t);
  const idp = await startIdp(t);
  const tokens = `    - use: token\n      options: { tokens: [ { code: ${TOKEN}, users: ["*"], hosts: ["*"] } ] }\n${idp.strategy()}`;
  const gw = await startGateway(t, securitySection(tokens) + staticRegistry({ 'linkis-ps-publicservice': [up] }));
  const printable = fc.stringMatching(/^[\x21-\x7e]{1,300}$/);
  await fc.assert(fc.asyncProperty(fc.constantFrom('token', 'cookie', 'bearer', 'cookie-token'), printable, printable, async (where, a, b) => {
    const headers: Record<string, string> = where === 'token' ? { 'token-code': a, 'token-user': b }
      : where === 'cookie' ? { cookie: `${TICKET_COOKIE}=${a}` }
      : where === 'bearer' ? { authorization: `Bearer ${a}.${b}` }
      : { cookie: `Token-Code=${a.replace(/;/g, '')}; Token-User=${b.replace(/;/g, '')}` };
    const answer = await gw.request(LIST, { headers });
    return answer.status === 401 && answer.json().status === -1;
  }), { numRuns: 300 });
  t.equal(up.received.length, 0);
});

t.test('S26: JWT classics are refused with one generic 401, and nothing secret is logged', async (t) => {
  const up = await upstream(t);
  const idp = await startIdp(t);
  const log = captureLog('debug');
  const gw = await startGateway(t, securitySection(idp.strategy(', clockSkew: 30s')) + staticRegistry({ 'linkis-ps-publicservice': [up] }), { logger: log.logger });
  const now = Math.floor(Date.now() / 1000);
  const publicPem = await exportSPKI(idp.publicKey as never);
  const attacks: [string, string][] = [
    ['alg none', new UnsecuredJWT({ sub: 'admin' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').encode()],
    ['HS256 keyed with the public key', await new SignJWT({ sub: 'admin' }).setProtectedHeader({ alg: 'HS256', kid: 'key-1' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').sign(new TextEncoder().encode(publicPem))],
    ['expired', await idp.sign({}, { expiresIn: now - 120 })],
    ['not yet valid', await idp.sign({}, { notBefore: now + 600 })],
    ['kid traversal', await idp.sign({}, { kid: '../../../../etc/passwd' })],
    ['wrong issuer', await idp.sign({}, { issuer: 'https://evil.example' })],
    ['wrong audience', await idp.sign({}, { audience: 'someone-else' })],
    ['garbage', 'eyJhbGciOiJSUzI1NiJ9.e30.AAAA'],
  ];
  const bodies = new Set<string>();
  for (const [name, jwt] of attacks) {
    const answer = await gw.request(LIST, { headers: { authorization: `Bearer ${jwt}` } });
    t.equal(answer.status, 401, name);
    bodies.add(answer.text);
    t.notMatch(log.text(), jwt.split('.')[2] || jwt, `${name}: the token is not logged`);
  }
  t.equal(bodies.size, 1, 'every refusal is the same generic answer');
  t.same(JSON.parse([...bodies][0]!).data, { code: 'LG_ERR_AUTH_REQUIRED' });
  t.equal((await gw.request(LIST, { headers: { authorization: `Bearer ${await idp.sign({}, { notBefore: now + 10 })}` } })).status, 200, 'within the clock skew');
  t.notMatch(log.text(), publicPem.split('\n')[1]!, 'no key material in the log');
  t.equal(up.received.length, 1);
});

async function denyListed(t: Parameters<typeof startGateway>[0], allow: string, extra = ''): Promise<TestGateway> {
  const up = await upstream(t);
  const strategies = `    - use: ./spy.js\n    - use: token\n      options: { tokens: [ { code: ${TOKEN}, users: ["*"], hosts: ["*"] } ] }\n` + await passwordStrategy([{ name: 'alice', password: 'alice-pw' }]);
  return startGateway(t, 'server: { host: 127.0.0.1, port: 0, trustedProxies: ["127.0.0.1"] }\n' + securitySection(strategies, `  ipAllowList: [${allow}]\n${extra}`) + staticRegistry({ 'linkis-ps-publicservice': [up] }), { files: FILES });
}

t.test('S27: a deny-listed client never reaches a credential check, so it cannot brute-force or lock anyone out', async (t) => {
  const gw = await denyListed(t, '"10.0.0.1"');
  const from = { 'x-forwarded-for': '10.6.6.6' };
  calls.spy = 0;
  calls.spyLogin = 0;
  for (let i = 0; i < 10; i++) {
    t.equal((await gw.request(LIST, { headers: { ...from, 'x-spy-user': 'alice', 'token-code': TOKEN, 'token-user': 'alice' } })).status, 403);
    t.equal((await login(gw, 'alice', `guess-${i}`, from)).answer.status, 403);
  }
  t.same({ spy: calls.spy, spyLogin: calls.spyLogin }, { spy: 0, spyLogin: 0 }, 'no strategy was asked anything');
  // Let 10.6.6.6 in: none of its ten refused attempts counted towards a lockout.
  const text = await readFile(gw.configFile, 'utf8');
  await writeFile(gw.configFile, text.replace('ipAllowList: ["10.0.0.1"]', 'ipAllowList: ["10.0.0.1", "10.6.6.6"]'));
  t.equal((await gw.gateway.reload()).ok, true);
  t.equal((await login(gw, 'alice', 'alice-pw', from)).answer.status, 200);
});

t.test('S27: the referer check too runs before any credential is looked at', async (t) => {
  const gw = await denyListed(t, '', '  referer: { enabled: true, allow: [console.example.com] }\n');
  calls.spy = 0;
  const answer = await gw.request(LIST, { headers: { referer: 'https://console.example.com.evil.net/', 'x-spy-user': 'alice' } });
  t.equal(answer.status, 412, 'a substring of an allowed host is not that host');
  t.equal(calls.spy, 0);
  t.equal((await gw.request(LIST, { headers: { referer: 'https://console.example.com/page', 'x-spy-user': 'alice' } })).status, 200);
});
