/**
 * spec/security-cases.md S8–S12, S14–S16, S20: one normaliser, and the path every decision is
 * made on is the path the upstream receives. The normaliser's own cases are in
 * test/core/path.test.ts; forwarding of refused paths in test/core/http-forwarder.test.ts.
 * Here the decisions are auth (pass-through or 401) and routing, through a running gateway.
 */
import t from 'tap';
import fc from 'fast-check';
import { startGateway, staticRegistry, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { rawRequest } from '../helpers/http.js';
import { normalisePath } from '../../core/path.js';
import { GatewayError } from '../../core/errors.js';
import { makeInstance } from '../../core/registry/snapshot.js';

const RULES = `parsers:
  - use: rules
    options:
      rules:
        - { name: site, match: "^/(public|admin|internal)(/.*)?$", application: linkis-ps-publicservice }
        - { name: svc, match: "^/svc/(?<app>[^/]+)/.*$", application: "$<app>" }
`;

async function setup(t: Parameters<typeof startGateway>[0]): Promise<{ gw: TestGateway; up: Upstream; get(target: string): Promise<number> }> {
  const up = await startUpstream('ps');
  t.teardown(() => up.close());
  // Only /public/ is open; nothing can authenticate, so everything else is a 401.
  const gw = await startGateway(t, `security: { passThrough: ["^/public/"] }\n${RULES}` + staticRegistry({ 'linkis-ps-publicservice': [up] }));
  const port = Number(new URL(gw.gateway.url).port);
  const get = async (target: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(await rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`))?.[1] ?? 0);
  return { gw, up, get };
}

t.test('S8: /public/../admin is decided, and would be forwarded, as /admin', async (t) => {
  const { up, get } = await setup(t);
  t.equal(await get('/public/../admin/x'), 401);
  t.equal(await get('/public/./x/../y'), 200);
  t.equal(up.received.at(-1)!.url, '/public/y');
  t.equal(up.received.length, 1);
});

t.test('S9: escaped slashes and backslashes are refused, never decoded differently from the upstream', async (t) => {
  const { up, get } = await setup(t);
  for (const target of ['/public%2F..%2Fadmin/x', '/public%2f..%2fadmin/x', '/public%5C..%5Cadmin/x']) t.equal(await get(target), 400, target);
  t.equal(up.received.length, 0);
});

t.test('S10: a deny rule on /internal blocks every double-slash variant; merged paths are forwarded merged', async (t) => {
  const { up, get } = await setup(t);
  for (const target of ['//internal/x', '/internal//x', '///internal/x', '/public//../internal/x']) t.equal(await get(target), 401, target);
  t.equal(await get('//public//x'), 200);
  t.equal(up.received.at(-1)!.url, '/public/x');
});

t.test('S11: the path cannot leave the open prefix with encoded dot segments or separators', async (t) => {
  const { up, get } = await setup(t);
  for (const target of ['/public/..%2fadmin', '/public/%2e%2e/admin', '/public/%2E./admin', '/public/.%2e/admin']) t.equal(await get(target), 400, target);
  t.equal(up.received.filter((received) => !received.url.startsWith('/public/')).length, 0);
});

t.test('S12: escaped unreserved characters are matched and forwarded in the same decoded form', async (t) => {
  const { up, get } = await setup(t);
  t.equal(await get('/%70ublic/x'), 200, '/%70ublic is /public for the pass-through list');
  t.equal(up.received.at(-1)!.url, '/public/x', 'and for the upstream');
  t.equal(await get('/%61dmin/x'), 401, '/%61dmin is /admin: denied');
});

t.test('S14: a path segment used as a parameter cannot add segments or a query', async (t) => {
  const { up, get } = await setup(t);
  t.equal(await get('/svc/a%2F..%2Fadmin%3Fx=/y'), 400, 'an encoded / is refused before any substitution');
  t.equal(await get('/svc/a%3Fx=/y'), 401, 'an encoded ? stays inside the segment');
  t.equal(up.received.length, 0);
});

t.test('S15: backslash dot-segments are refused, raw or encoded', async (t) => {
  const { up, get } = await setup(t);
  for (const target of ['/public/..\\admin', '/public/..%5Cadmin', '/public\\..\\admin']) t.equal(await get(target), 400, target);
  t.equal(up.received.length, 0);
});

t.test('S16: the upstream pool key (origin) identifies host and port uniquely', async (t) => {
  const host = fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain(), fc.constantFrom('a', 'a:1', '1', 'a1', '::1', '[::1]'));
  const port = fc.integer({ min: 1, max: 65535 });
  fc.assert(fc.property(host, port, host, port, (h1, p1, h2, p2) => {
    const a = makeInstance({ app: 'x', host: h1, port: p1, source: 'static' }).origin;
    const b = makeInstance({ app: 'x', host: h2, port: p2, source: 'static' }).origin;
    return (a === b) === (h1 === h2 && p1 === p2);
  }), { numRuns: 5000 });
  t.pass('equal origins only for equal host and port');
});

t.test('S20: absolute-form and //host targets never choose the upstream', async (t) => {
  const evil = await startUpstream('evil');
  t.teardown(() => evil.close());
  const { up, get } = await setup(t);
  t.equal(await get(`http://${evil.hostPort}/public/x`), 400);
  t.equal(await get(`//${evil.hostPort}/public/x`), 401, 'a path like any other (/127.0.0.1:…/public/x): not open, so a login is needed');
  t.equal(evil.received.length + up.received.length, 0);
});

/** Path characters that exercise every branch of the normaliser. */
const segment = fc.oneof(
  fc.constantFrom('', '.', '..', '%2e', '%2E%2e', '.%2e', '%2F', '%2f', '%5C', '\\', '%00', '%zz', '%', '%61', '%7E', '%C3%A9', '~', 'é', 'public', 'admin', 'internal', 'svc', 'x'),
  fc.stringMatching(/^[A-Za-z0-9._~%-]{0,6}$/),
);
const rawPath = fc.array(segment, { minLength: 1, maxLength: 8 }).map((segments) => `/${segments.join('/')}`);

t.test('property: normalise(normalise(p)) = normalise(p), and refusals are coded errors, for any input', async (t) => {
  fc.assert(fc.property(rawPath, (raw) => {
    let once: string;
    try {
      once = normalisePath(raw);
    } catch (error) {
      return error instanceof GatewayError && error.httpStatus === 400;
    }
    return normalisePath(once) === once;
  }), { numRuns: 20_000 });
  t.pass('idempotent on 20 000 paths built from escapes, dot segments and separators');
});

t.test('property: the path auth and routing decide on is the path forwarded, for any input', async (t) => {
  const seen: { auth: string[]; parser: string[] } = { auth: [], parser: [] };
  (globalThis as Record<string, unknown>).__decisionPaths = seen;
  const up = await startUpstream('ps');
  t.teardown(() => up.close());
  const files = {
    'record-auth.js': `export default { kind: 'auth', name: 'record-auth', version: '1', priority: 0, optionsSchema: { type: 'object' },
      create() { return { authenticate(request) { globalThis.__decisionPaths.auth.push(request.path); return { user: 'u', admin: false, via: 'x' }; } }; } };`,
    'record-parser.js': `export default { kind: 'parser', name: 'record-parser', version: '1', priority: 0, optionsSchema: { type: 'object' },
      create() { return { patterns: [{ name: 'all', source: '/.*' }], parse(request) { globalThis.__decisionPaths.parser.push(request.path); return { application: 'linkis-ps-publicservice' }; } }; } };`,
  };
  const gw = await startGateway(t, 'security:\n  auth: [ { use: ./record-auth.js } ]\nparsers: [ { use: ./record-parser.js } ]\n' + staticRegistry({ 'linkis-ps-publicservice': [up] }), { files });
  const port = Number(new URL(gw.gateway.url).port);
  await fc.assert(fc.asyncProperty(rawPath, async (raw) => {
    seen.auth.length = 0;
    seen.parser.length = 0;
    const before = up.received.length;
    const answer = await rawRequest(port, `GET ${raw} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    let expected: string | undefined;
    try {
      expected = normalisePath(raw);
    } catch {
      expected = undefined;
    }
    if (up.received.length === before) {
      // Refused: by the normaliser, or by Node's parser for bytes a request line cannot hold.
      return expected === undefined || !/^HTTP\/1\.1 200/.test(answer);
    }
    const forwarded = up.received.at(-1)!.url;
    return expected !== undefined && seen.auth[0] === expected && seen.parser[0] === expected && forwarded === expected
      && normalisePath(forwarded) === forwarded;
  }), { numRuns: 300 });
  t.pass('auth path = parser path = forwarded path = normalise(raw), and it is a fixed point');
});
