/** Forwarding through a real gateway: headers, streaming, timeouts, failures, retries. */
import t from 'tap';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { startGateway, staticRegistry, withTestListeners } from '../helpers/gateway.js';
import { closedPort, startUpstream } from '../helpers/upstream.js';
import { httpRequest, parseRawResponse, rawRequest } from '../helpers/http.js';
import { startGatewayProcess } from '../helpers/gateway-process.js';

const OPEN = 'security: { passThrough: ["^/"] }\n';

t.test('hop-by-hop headers are dropped both ways and forwarding headers are rebuilt (S6)', async (t) => {
  const up = await startUpstream('ps', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', connection: 'x-hop', 'x-hop': 'secret', 'keep-alive': 'timeout=5', 'x-kept': 'yes' });
    res.end(JSON.stringify({ headers: req.headers }));
  });
  t.teardown(() => up.close());
  const gw = await startGateway(t, OPEN + staticRegistry({ 'linkis-ps-publicservice': [up] }));
  const port = Number(new URL(gw.gateway.url).port);
  const raw = await rawRequest(port, [
    'GET /api/rest_j/v1/udf/list?x=1 HTTP/1.1', `Host: 127.0.0.1:${port}`, 'Connection: close, x-client-hop', 'x-client-hop: 1', 'TE: trailers',
    'X-Forwarded-For: 1.2.3.4', 'Forwarded: for=1.2.3.4', 'X-Real-IP: 10.0.0.1', 'X-Forwarded-Host: evil.example', 'X-End-To-End: kept', '', '',
  ].join('\r\n'));
  const seen = JSON.parse(parseRawResponse(raw).body).headers;
  t.equal(seen['x-client-hop'], undefined, 'a header named by Connection is hop-by-hop');
  t.equal(seen.te, undefined);
  t.equal(seen['x-end-to-end'], 'kept');
  t.equal(seen['x-forwarded-for'], '127.0.0.1', 'the client-written X-Forwarded-For is replaced by the socket address');
  t.equal(seen.forwarded, undefined);
  t.equal(seen['x-real-ip'], '127.0.0.1');
  t.equal(seen['x-forwarded-proto'], 'http');
  t.match(seen['x-forwarded-host'], /^127\.0\.0\.1:\d+$/, 'the Host the client used, not its X-Forwarded-Host');
  const answer = await gw.request('/api/rest_j/v1/udf/list');
  t.equal(answer.headers['x-hop'], undefined, 'response headers named by Connection are dropped');
  t.equal(answer.headers['x-kept'], 'yes');
});

t.test('behind a trusted proxy the client is the right-most untrusted hop (S4)', async (t) => {
  const up = await startUpstream('ps');
  t.teardown(() => up.close());
  const gw = await startGateway(t, 'server: { host: 127.0.0.1, port: 0, trustedProxies: ["127.0.0.0/8", "10.0.0.0/8"] }\n' + OPEN + staticRegistry({ 'linkis-ps-publicservice': [up] }));
  const answer = await gw.request('/api/rest_j/v1/udf/list', { headers: { 'x-forwarded-for': '6.6.6.6, 1.2.3.4, 10.1.1.1', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'gw.example' } });
  const seen = answer.json().headers;
  t.equal(seen['x-real-ip'], '1.2.3.4');
  t.equal(seen['x-forwarded-for'], '1.2.3.4, 10.1.1.1, 127.0.0.1', 'only hops we can vouch for');
  t.equal(seen['x-forwarded-proto'], 'https');
  t.equal(seen['x-forwarded-host'], 'gw.example');
});

t.test('a large upload streams through without the gateway holding it', async (t) => {
  // Garbage buffers make a gateway's memory grow by tens of MiB before V8 collects them, whatever
  // the body size; a body well above that plateau tells streaming from holding.
  const size = 160 * 1024 * 1024;
  let upstreamBytes = 0;
  const upstreamHash = createHash('sha1');
  const up = await startUpstream('sink', (req, res) => {
    if (!req.url?.endsWith('/upload')) return void req.resume().on('end', () => res.end('{}'));
    req.on('data', (chunk: Buffer) => {
      upstreamBytes += chunk.length;
      upstreamHash.update(chunk);
    });
    req.on('end', () => res.end('{"ok":true}'));
  }, { streaming: true });
  t.teardown(() => up.close());
  // A gateway process of its own, so its peak memory is the gateway's alone.
  const gw = await startGatewayProcess(t, withTestListeners(OPEN + staticRegistry({ 'linkis-ps-publicservice': [up] })));
  await httpRequest(`${gw.url}/api/rest_j/v1/bml/warm-up`, { method: 'PUT', body: 'x'.repeat(1024 * 1024) });
  const before = await gw.peakRss();
  const clientHash = createHash('sha1');
  const chunk = Buffer.alloc(64 * 1024, 7);
  let sent = 0;
  const body = new Readable({
    read() {
      if (sent >= size) return this.push(null);
      sent += chunk.length;
      clientHash.update(chunk);
      this.push(chunk);
    },
  });
  const answer = await httpRequest(`${gw.url}/api/rest_j/v1/bml/upload`, { method: 'PUT', headers: { 'content-length': String(size) }, body });
  const grown = (await gw.peakRss()) - before;
  t.equal(answer.status, 200);
  t.equal(upstreamBytes, size);
  t.equal(upstreamHash.digest('hex'), clientHash.digest('hex'), 'the bytes arrive unchanged');
  t.ok(grown < 100 * 1024 * 1024, `the gateway's peak memory grew by ${(grown / 1048576).toFixed(1)} MiB while 160 MiB passed through`);
});

t.test('a large response streams back whole', async (t) => {
  const payload = Buffer.alloc(8 * 1024 * 1024, 3);
  const up = await startUpstream('big', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(payload);
  });
  t.teardown(() => up.close());
  const gw = await startGateway(t, OPEN + staticRegistry({ 'linkis-ps-publicservice': [up] }));
  const answer = await gw.request('/api/rest_j/v1/bml/download');
  t.equal(Buffer.byteLength(answer.text, 'latin1'), payload.length);
});

t.test('an upstream that refuses connections is a 502 envelope', async (t) => {
  const port = await closedPort();
  const gw = await startGateway(t, OPEN + staticRegistry({ 'linkis-ps-publicservice': [{ hostPort: `127.0.0.1:${port}` }] }));
  const answer = await gw.request('/api/rest_j/v1/udf/list');
  t.equal(answer.status, 502);
  t.match(answer.json(), { status: 1, data: { code: 'LG_ERR_UPSTREAM_CONNECT' } });
  t.match(answer.json().message, new RegExp(`127\\.0\\.0\\.1:${port}`));
});

t.test('connection refused before the body was sent → the next instance (retry interceptor)', async (t) => {
  const port = await closedPort();
  const up = await startUpstream('alive');
  t.teardown(() => up.close());
  const gw = await startGateway(t, OPEN + staticRegistry({ 'linkis-ps-publicservice': [{ hostPort: `127.0.0.1:${port}` }, up] }) + 'interceptors: [ { use: retry, options: { attempts: 2 } } ]\n');
  for (let i = 0; i < 30; i++) {
    const answer = await gw.request('/api/rest_j/v1/udf/save', { method: 'POST', body: `{"n":${i}}`, headers: { 'content-type': 'application/json' } });
    t.equal(answer.status, 200);
  }
  t.equal(up.received.length, 30, 'every request reached the live instance exactly once');
  t.ok(up.received.every((r) => r.bodyBytes > 0), 'with its body');
});

t.test('an upstream that does not answer in time is a 504 envelope', async (t) => {
  const up = await startUpstream('slow', () => { /* never answers */ });
  t.teardown(() => up.close());
  const gw = await startGateway(t, OPEN + staticRegistry({ 'linkis-ps-publicservice': [up] }) + 'upstream: { headersTimeout: 300ms }\n');
  const answer = await gw.request('/api/rest_j/v1/udf/list');
  t.equal(answer.status, 504);
  t.equal(answer.json().data.code, 'LG_ERR_UPSTREAM_HEADERS_TIMEOUT');
});

t.test('bad paths are refused with 400 and never forwarded (S8–S15, S20)', async (t) => {
  const up = await startUpstream('ps');
  t.teardown(() => up.close());
  const gw = await startGateway(t, OPEN + staticRegistry({ 'linkis-ps-publicservice': [up] }));
  const port = Number(new URL(gw.gateway.url).port);
  const cases: [string, string][] = [
    ['/api/rest_j/v1/udf/%2e%2e/x', 'LG_ERR_PATH_ENCODED_DOT_SEGMENT'],
    ['/api/rest_j/v1/udf%2F..%2Fadmin', 'LG_ERR_PATH_ENCODED_SEPARATOR'],
    ['/api/rest_j/v1/udf%5C..%5Cadmin', 'LG_ERR_PATH_ENCODED_SEPARATOR'],
    ['/api/rest_j/v1/udf/..\\admin', 'LG_ERR_PATH_FORBIDDEN_CHARACTER'],
    ['/api/rest_j/v1/udf/%00x', 'LG_ERR_PATH_FORBIDDEN_CHARACTER'],
    ['/../../etc/passwd', 'LG_ERR_PATH_TRAVERSAL'],
    ['http://evil.example/api/rest_j/v1/udf/x', 'LG_ERR_PATH_ABSOLUTE_FORM'],
  ];
  for (const [target, code] of cases) {
    const raw = await rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    t.match(raw, /^HTTP\/1\.1 400 /, target);
    t.match(raw, new RegExp(`"code":"${code}"`), `${target} → ${code}`);
  }
  t.equal(up.received.length, 0, 'the upstream saw none of them');
  const dots = await rawRequest(port, 'GET /api/rest_j/v1/udf/../udf/./list HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  t.match(dots, /^HTTP\/1\.1 200 /);
  t.equal(up.received.at(-1)?.url, '/api/rest_j/v1/udf/list', 'S8: the normalised path is the path forwarded');
  await rawRequest(port, 'GET //api/rest_j/v1//udf/list HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  t.equal(up.received.at(-1)?.url, '/api/rest_j/v1/udf/list', 'S10: merged slashes are forwarded merged');
});

t.test('S20: //host targets are paths; the upstream origin comes only from the registry', async (t) => {
  const evil = await startUpstream('evil');
  const up = await startUpstream('ps');
  t.teardown(() => Promise.all([evil.close(), up.close()]));
  const gw = await startGateway(t, 'security: { passThrough: ["^/"] }\nparsers:\n  - use: rules\n    options: { rules: [ { name: all, match: "/.*", application: linkis-ps-publicservice } ] }\n' + staticRegistry({ 'linkis-ps-publicservice': [up] }));
  const port = Number(new URL(gw.gateway.url).port);
  await rawRequest(port, `GET //${evil.hostPort}/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  t.equal(evil.received.length, 0);
  t.equal(up.received.at(-1)?.url, `/${evil.hostPort}/x`);
});

t.test('S22: smuggling attempts are refused by the HTTP parser and never forwarded', async (t) => {
  const up = await startUpstream('ps');
  t.teardown(() => up.close());
  const gw = await startGateway(t, OPEN + staticRegistry({ 'linkis-ps-publicservice': [up] }));
  const port = Number(new URL(gw.gateway.url).port);
  const attacks = [
    'POST /api/rest_j/v1/udf/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/rest_j/v1/udf/smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
    'POST /api/rest_j/v1/udf/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked-false\r\n\r\n0\r\n\r\n',
    'GET /api/rest_j/v1/udf/x HTTP/1.1\nHost: x\n\n',
    'GET /api/rest_j/v1/udf/x HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n',
    'GET /api/rest_j/v1/udf/x HTTP/1.1\rHost: x\r\r\n',
  ];
  for (const attack of attacks) {
    const raw = await rawRequest(port, attack);
    t.match(raw, /^HTTP\/1\.1 400 |^$/, JSON.stringify(attack.slice(0, 60)));
  }
  t.equal(up.received.filter((r) => r.url.includes('smuggled')).length, 0, 'no smuggled request reached the upstream');
  t.equal(up.received.length, 0);
  t.notOk(process.execArgv.includes('--insecure-http-parser'), 'the lenient parser flag is off');
});

t.test('undici requests are pooled: one keep-alive connection serves sequential requests', async (t) => {
  const up = await startUpstream('ps');
  t.teardown(() => up.close());
  let connections = 0;
  up.server.on('connection', () => connections++);
  const gw = await startGateway(t, OPEN + staticRegistry({ 'linkis-ps-publicservice': [up] }));
  for (let i = 0; i < 20; i++) await gw.request('/api/rest_j/v1/udf/list');
  t.equal(connections, 1);
  await httpRequest(gw.gateway.url + '/api/rest_j/v1/udf/list');
});
