/**
 * spec/security-cases.md S17, S18, S19, S21, S22: what reaches an upstream is framed and
 * checked by the gateway. Smuggling attempts are also in test/core/http-forwarder.test.ts (S22).
 */
import t from 'tap';
import fc from 'fast-check';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { rawRequest } from '../helpers/http.js';
import { repoPath } from '../helpers/paths.js';
import { securitySection } from '../helpers/auth.js';
import { startIdp } from '../helpers/idp.js';
import { parseConfigText } from '../../core/config-loader.js';
import { UpstreamPools } from '../../core/http-forwarder.js';
import { outboundHeaders } from '../../core/outbound-headers.js';
import { applyUpstreamIdentity } from '../../core/upstream-identity.js';
import { GatewayError } from '../../core/errors.js';

const SUBMIT = '/api/rest_j/v1/entrance/submit';
const UNSAFE = /[\r\n\0]/;

t.test('S17: TLS to an upstream is verified: a self-signed certificate fails unless its CA is configured', async (t) => {
  const [key, cert] = await Promise.all([readFile(repoPath('test/fixtures/tls/self-signed.key')), readFile(repoPath('test/fixtures/tls/self-signed.crt'))]);
  const server = https.createServer({ key, cert }, (_req, res) => res.end('secret'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const defaults = parseConfigText('server: {}\n', '/c/gateway.yaml', {}).config.upstream;
  t.equal(defaults.tls.rejectUnauthorized, true, 'verification is on by default');
  const plain = new UpstreamPools(defaults);
  t.teardown(() => plain.destroy());
  await t.rejects(plain.get(origin).request({ method: 'GET', path: '/' }), { code: /CERT|SELF_SIGNED|UNABLE/ });
  const trusting = new UpstreamPools({ ...defaults, tls: { ...defaults.tls, ca: 'test/fixtures/tls/self-signed.crt' } }, (file) => repoPath(file));
  t.teardown(() => trusting.destroy());
  const answer = await trusting.get(origin).request({ method: 'GET', path: '/' });
  t.equal(await answer.body.text(), 'secret', 'with the CA configured the upstream is reached');
});

async function entrances(t: Parameters<typeof startGateway>[0]): Promise<{ gw: TestGateway; et1: Upstream; et2: Upstream; plain: Upstream }> {
  const [et1, et2, plain] = await Promise.all([startUpstream('et1'), startUpstream('et2'), startUpstream('plain')]);
  t.teardown(() => Promise.all([et1.close(), et2.close(), plain.close()]));
  const gw = await startGateway(t, `security: { passThrough: ["^/"] }
registry:
  static:
    - { app: linkis-cg-entrance, instances: ["${et1.hostPort}"], labels: { route: et1 } }
    - { app: linkis-cg-entrance, instances: ["${et2.hostPort}"], labels: { route: et2 } }
    - { app: linkis-cg-entrance, instances: ["${plain.hostPort}"] }
`);
  return { gw, et1, et2, plain };
}

t.test('S18: content-type variants cannot skip reading the route label', async (t) => {
  const { gw, et1 } = await entrances(t);
  const body = '{"executionContent":{"code":"show tables"},"labels":{"route":"et1"}}';
  const variants = ['application/json', 'application/json ; charset=utf-8', 'APPLICATION/JSON', 'application/json\t;\tx=y', 'text/plain', 'application/x-www-form-urlencoded', ''];
  for (const type of variants) {
    const answer = await gw.request(SUBMIT, { method: 'POST', headers: type ? { 'content-type': type } : {}, body });
    t.equal(answer.headers['x-upstream'], 'et1', JSON.stringify(type));
  }
  t.equal(et1.received.length, variants.length);
});

t.test('S19: with duplicate keys the gateway refuses, or routes on the value the upstream reads', async (t) => {
  const { gw } = await entrances(t);
  const bodies = ['{"labels":{"route":"et2"},"labels":{"route":"et1"}}', '{"labels":{"route":"et2","route":"et1"}}'];
  for (const body of bodies) {
    const answer = await gw.request(SUBMIT, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const upstreamReads = JSON.parse(body).labels.route; // a JSON.parse or Jackson backend: the last key wins
    t.ok(answer.status === 400 || answer.headers['x-upstream'] === upstreamReads, `${body}: ${answer.status} ${answer.headers['x-upstream']}`);
  }
});

t.test('S21: a user name from an auth strategy cannot inject a header', async (t) => {
  const up = await startUpstream('ps');
  t.teardown(() => up.close());
  const idp = await startIdp(t);
  const files = {
    'evil-auth.js': `export default { kind: 'auth', name: 'evil-auth', version: '1', priority: 0, optionsSchema: { type: 'object' },
      create() { return { authenticate(request) { const user = request.headers['x-claim']; return user === undefined ? undefined : { user: decodeURIComponent(user), admin: false, via: 'x' }; } }; } };`,
  };
  const gw = await startGateway(t, securitySection(`    - use: ./evil-auth.js\n${idp.strategy()}`) + `registry: { static: [ { app: linkis-ps-publicservice, instances: ["${up.hostPort}"] } ] }\n`, { files });
  for (const claim of ['alice%0D%0AX-Injected: 1', 'alice%0AX-Injected: 1', 'alice%00', 'alice%0D', '%20alice', 'a'.repeat(300)]) {
    const answer = await gw.request('/api/rest_j/v1/jobhistory/list', { headers: { 'x-claim': claim } });
    t.equal(answer.status, 401, claim.slice(0, 30));
  }
  const jwt = await idp.sign({ sub: 'alice\r\nX-Injected: 1' });
  t.equal((await gw.request('/api/rest_j/v1/jobhistory/list', { headers: { authorization: `Bearer ${jwt}` } })).status, 401, 'a signed claim too');
  t.equal(up.received.length, 0);
  t.equal((await gw.request('/api/rest_j/v1/jobhistory/list', { headers: { 'x-claim': 'alice' } })).status, 200);
  t.equal(up.received.length, 1, 'the upstream saw one request, the clean one');
});

t.test('S22: the HTTP parser is strict and Node is patched', async (t) => {
  t.notOk(process.execArgv.includes('--insecure-http-parser'));
  t.notMatch(process.env.NODE_OPTIONS ?? '', /insecure-http-parser/);
  const [major, minor, patch] = process.versions.node.split('.').map(Number) as [number, number, number];
  t.ok(major > 20 || (major === 20 && (minor > 3 || (minor === 3 && patch >= 1))), `node ${process.versions.node} has the llhttp fixes of 20.3.1`);
  const up = await startUpstream('ps');
  t.teardown(() => up.close());
  const gw = await startGateway(t, `security: { passThrough: ["^/"] }\nregistry: { static: [ { app: linkis-ps-publicservice, instances: ["${up.hostPort}"] } ] }\n`);
  t.equal(gw.gateway.pipeline.config.server.port, 0);
  const port = Number(new URL(gw.gateway.url).port);
  const raw = await rawRequest(port, 'POST /api/rest_j/v1/jobhistory/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n');
  t.match(raw, /^HTTP\/1\.1 400 |^$/);
  t.equal(up.received.length, 0);
});

// ─── properties ─────────────────────────────────────────────────────────────────────────────

/** What Node's HTTP parser can hand us: visible ASCII, spaces, tabs and obs-text, never CR/LF/NUL. */
const parsedValue = fc.stringMatching(/^[\t\x20-\x7e\x80-\xff]{0,40}$/);
const anyValue = fc.string({ maxLength: 40, unit: 'binary' });
const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);

t.test('property: no CR, LF or NUL reaches an upstream header, whatever the client and the strategies supply', async (t) => {
  const client = { ip: '127.0.0.1', forwardedFor: '127.0.0.1', viaTrustedProxy: false };
  fc.assert(fc.property(fc.dictionary(headerName, parsedValue), anyValue, fc.option(anyValue), (incoming, user, ticket) => {
    let headers: Record<string, string | string[]>;
    try {
      headers = outboundHeaders(incoming, client, 'http', { 'x-request-id': user });
      applyUpstreamIdentity(headers, { user, admin: false, via: 'x', ...(ticket === null ? {} : { ticket }) }, 'linkis_user_session_ticket_id_v1', () => 'minted');
    } catch (error) {
      return error instanceof GatewayError && error.code === 'LG_ERR_HEADER_INJECTION' && (UNSAFE.test(user) || UNSAFE.test(ticket ?? ''));
    }
    return Object.values(headers).flat().every((value) => !UNSAFE.test(value)) && headers['x-linkis-user'] === user;
  }), { numRuns: 3000 });
  t.pass('every value either clean or refused with LG_ERR_HEADER_INJECTION');
});

t.test('property: raw header bytes from a client never reach an upstream as a CR, LF or NUL, nor as a second request', async (t) => {
  const up = await startUpstream('ps');
  t.teardown(() => up.close());
  const gw = await startGateway(t, `security: { passThrough: ["^/"] }\nregistry: { static: [ { app: linkis-ps-publicservice, instances: ["${up.hostPort}"] } ] }\n`);
  const port = Number(new URL(gw.gateway.url).port);
  const value = fc.array(fc.oneof(fc.constantFrom('\r', '\n', '\r\n', '\0', '\r\nX-Injected: 1', '\nX-Injected: 1', ' ', '\t', ':'), fc.stringMatching(/^[a-z0-9]{1,4}$/)), { maxLength: 6 }).map((parts) => parts.join(''));
  // Each client request carries its own number in the path, so a slow arrival from an earlier
  // run cannot be counted against this one; smuggled requests would not carry the number.
  let sent = 0;
  await fc.assert(fc.asyncProperty(value, async (bytes) => {
    const run = ++sent;
    await rawRequest(port, `GET /api/rest_j/v1/jobhistory/list?run=${run} HTTP/1.1\r\nHost: x\r\nX-Test: ${bytes}\r\nConnection: close\r\n\r\n`);
    const mine = up.received.filter((received) => received.url.endsWith(`?run=${run}`));
    // A CRLF the client writes ends its own header line (the next line is just another header of
    // its own); a bare CR, a lone LF or a NUL inside a value must be refused, never passed on.
    return mine.length <= 1 && mine.every((received) => Object.values(received.headers).flat().every((header) => !UNSAFE.test(String(header))));
  }), { numRuns: 200 });
  t.ok(up.received.length <= sent, 'no request reached the upstream that a client did not send');
  t.ok(up.received.every((received) => /\?run=\d+$/.test(received.url)), 'every upstream request is one a client sent, with its number');
  t.ok(up.received.every((received) => Object.values(received.headers).flat().every((header) => !UNSAFE.test(String(header)))), 'no CR/LF/NUL in any value that arrived');
});
