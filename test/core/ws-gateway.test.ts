/** WebSocket multiplexing through a real gateway to real WebSocket upstreams. */
import t, { type Test } from 'tap';
import WebSocket from 'ws';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startWsUpstream, type WsUpstream } from '../helpers/ws-upstream.js';
import { rawRequest } from '../helpers/http.js';
import { revokedTestUsers, TEST_AUTH_FILE, TEST_AUTH_FILES, TEST_AUTH_YAML } from '../helpers/test-auth.js';
import { encodeExecId } from '../../plugins/parsers/exec-id.js';

const CONNECT = '/ws/api/entrance/connect';

interface Client {
  readonly socket: WebSocket;
  readonly received: any[];
  next(predicate?: (frame: any) => boolean): Promise<any>;
  closed: Promise<{ code: number }>;
}

async function connect(gw: TestGateway, path = CONNECT, headers: Record<string, string> = { 'x-test-user': 'alice' }): Promise<Client> {
  const socket = new WebSocket(gw.gateway.url.replace('http', 'ws') + path, { headers });
  const received: any[] = [];
  const waiters: { predicate: (frame: any) => boolean; resolve: (frame: any) => void }[] = [];
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    received.push(frame);
    const index = waiters.findIndex((w) => w.predicate(frame));
    if (index >= 0) waiters.splice(index, 1)[0]!.resolve(frame);
  });
  const closed = new Promise<{ code: number }>((resolve) => socket.once('close', (code) => resolve({ code })));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let consumed = 0;
  return {
    socket, received, closed,
    next(predicate = () => true) {
      for (let i = consumed; i < received.length; i++) {
        if (predicate(received[i])) {
          consumed = i + 1;
          return Promise.resolve(received[i]);
        }
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no frame within 5 s')), 5000);
        waiters.push({ predicate, resolve: (frame) => { clearTimeout(timer); consumed = received.length; resolve(frame); } });
      });
    },
  };
}

async function entranceGateway(t: Test, extra = ''): Promise<{ gw: TestGateway; tagged: WsUpstream; plain: WsUpstream }> {
  const tagged = await startWsUpstream('tagged');
  const plain = await startWsUpstream('plain');
  t.teardown(() => Promise.all([tagged.close(), plain.close()]));
  const gw = await startGateway(t, `${TEST_AUTH_YAML}registry:
  static:
    - { app: linkis-cg-entrance, instances: ["${tagged.hostPort}"], labels: { route: et1 } }
    - { app: linkis-cg-entrance, instances: ["${plain.hostPort}"] }
${extra}`, { files: TEST_AUTH_FILES });
  return { gw, tagged, plain };
}

const execute = (route?: string, id?: number) => JSON.stringify({
  ...(id === undefined ? {} : { id }),
  method: '/api/rest_j/v1/entrance/execute',
  data: { executionContent: { code: 'select 1' }, ...(route ? { labels: { route } } : {}) },
});

t.test('one client connection reaches two instances, each frame routed on its own', async (t) => {
  const { gw, tagged, plain } = await entranceGateway(t);
  const client = await connect(gw);
  client.socket.send(execute('et1'));
  t.match(await client.next(), { from: 'tagged', got: execute('et1') }, 'the original text reaches the tagged instance');
  client.socket.send(execute());
  t.match(await client.next(), { from: 'plain', got: execute() }, 'no label: the untagged instance');
  const status = JSON.stringify({ method: `/api/rest_j/v1/entrance/${encodeExecId('linkis-cg-entrance', tagged.hostPort, 'IDE_alice_shell_0')}/status` });
  client.socket.send(status);
  t.match(await client.next(), { from: 'tagged', got: status }, 'exec IDs pin their instance');
  client.socket.send(execute('et1'));
  await client.next();
  t.equal(tagged.connections.length, 1, 'one upstream socket per (client connection, instance)');
  t.equal(plain.connections.length, 1);
  t.equal(tagged.connections[0]!.path, CONNECT, 'at the same path on the instance');
  t.equal(tagged.connections[0]!.headers['x-linkis-user'], 'alice');
  client.socket.close();
  await client.closed;
  await t.resolveMatch(new Promise((resolve) => tagged.connections[0]!.socket.once('close', () => resolve('closed'))), 'closed', 'upstream sockets close with the client');
});

t.test('a bad frame gets an error envelope for that frame only; the next frame is routed normally', async (t) => {
  const { gw } = await entranceGateway(t);
  const client = await connect(gw);
  client.socket.send('not json');
  t.match(await client.next(), { method: null, status: 1, data: { code: 'LG_ERR_WS_BAD_FRAME' } });
  client.socket.send(JSON.stringify({ id: 7, data: {} }));
  t.match(await client.next(), { status: 1, id: 7, data: { code: 'LG_ERR_WS_BAD_FRAME' } });
  client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
  t.match(await client.next(), { data: { code: 'LG_ERR_WS_BINARY_FRAME' } });
  client.socket.send(JSON.stringify({ id: 8, method: '/api/rest_j/v1/nowhere' }));
  t.match(await client.next(), { method: '/api/rest_j/v1/nowhere', id: 8, data: { code: 'LG_ERR_PARSE_NO_SERVICE' } });
  client.socket.send(JSON.stringify({ id: 9, method: '/api/rest_j/v2/x/y' }));
  t.match(await client.next(), { id: 9, status: 1, message: /not support version v2/ });
  client.socket.send(execute('nope', 10));
  t.match(await client.next(), { id: 10, data: { errCode: 11011 } });
  client.socket.send('{"id":12,"method":"/api/rest_j/v1/entrance/execute","data":{"labels":{"route":"et1","route":"x"}}}');
  t.match(await client.next(), { id: 12, data: { code: 'LG_ERR_BODY_DUPLICATE_KEY' } }, 'S19: a repeated label key is refused, not routed on one reading of it');
  client.socket.send(execute(undefined, 11));
  t.match(await client.next(), { from: 'plain' }, 'routing state was not kept from the failed frames');
  t.equal(client.socket.readyState, WebSocket.OPEN);
});

t.test('upgrades outside the prefix are 404 and upgrades without auth are 401, before any upstream is dialled', async (t) => {
  const { gw, tagged, plain } = await entranceGateway(t);
  const port = Number(new URL(gw.gateway.url).port);
  const upgrade = (path: string, extra = '') => rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`);
  t.match(await upgrade('/api/x', 'x-test-user: alice\r\n'), /^HTTP\/1\.1 404 .*"code":"LG_ERR_WS_NOT_FOUND"/s);
  t.match(await upgrade('/ws/../admin', 'x-test-user: alice\r\n'), /^HTTP\/1\.1 404 /, 'S13: the upgrade path is normalised first');
  t.match(await upgrade('/ws/%2e%2e/admin', 'x-test-user: alice\r\n'), /^HTTP\/1\.1 400 /);
  t.match(await upgrade(CONNECT), /^HTTP\/1\.1 401 .*"status":-1/s);
  t.equal(tagged.connections.length + plain.connections.length, 0);
});

t.test('each frame is judged pass-through by its own method, not by the handshake path: an anonymous client on a public socket cannot reach a protected application', async (t) => {
  const entrance = await startWsUpstream('entrance');
  t.teardown(() => entrance.close());
  const gw = await startGateway(t, `security:
  auth: [{ use: ./${TEST_AUTH_FILE} }]
  passThrough: ["^/ws/public/", "^/api/rest_j/v1/entrance/[^/]+/status$"]
registry:
  static:
    - { app: linkis-cg-entrance, instances: ["${entrance.hostPort}"] }
`, { files: TEST_AUTH_FILES });
  const anonymous = await connect(gw, '/ws/public/x', {});
  const status = JSON.stringify({ id: 1, method: `/api/rest_j/v1/entrance/${encodeExecId('linkis-cg-entrance', entrance.hostPort, 'IDE_alice_shell_0')}/status` });
  anonymous.socket.send(status);
  t.match(await anonymous.next(), { from: 'entrance', got: status }, 'a frame whose own method is pass-through is relayed without login');
  anonymous.socket.send(execute(undefined, 2));
  t.match(await anonymous.next(), { id: 2, status: -1, method: '/api/rest_j/v1/entrance/execute' }, 'a protected method needs a login, whatever path the socket was opened on');
  t.equal((await anonymous.closed).code, 1008);
  t.same(entrance.frames, [status], 'the protected frame never reached the instance');

  const alice = await connect(gw, '/ws/public/x', { 'x-test-user': 'alice' });
  alice.socket.send(execute(undefined, 3));
  t.match(await alice.next(), { from: 'entrance', got: execute(undefined, 3) }, 'a logged-in client on the same socket path sends it');
  t.match(entrance.connections.at(-1)?.headers, { 'x-linkis-user': 'alice' });
});

t.test('a frame addressed to an endpoint the gateway answers itself is refused with a code, not routed to an instance', async (t) => {
  const { gw, tagged, plain } = await entranceGateway(t);
  const client = await connect(gw);
  for (const [id, method] of [[1, '/api/rest_j/v1/user/login'], [2, '/api/rest_j/v1/user/./userInfo'], [3, '/api/rest_j/v1/gateway/heartbeat']] as const) {
    client.socket.send(JSON.stringify({ id, method, data: { userName: 'x', password: 'y' } }));
    t.match(await client.next(), { id, status: 1, data: { code: 'LG_ERR_WS_LOCAL_ENDPOINT' } }, method);
  }
  client.socket.send(execute());
  t.match(await client.next(), { from: 'plain' }, 'the connection is kept');
  t.equal(tagged.connections.length + plain.connections.length, 1, 'no refused frame opened a link');
});

t.test('when the session ends, the next frame gets status -1 and the connection closes with 1008', async (t) => {
  const { gw } = await entranceGateway(t);
  const client = await connect(gw, CONNECT, { 'x-test-user': 'bob' });
  client.socket.send(execute());
  await client.next();
  revokedTestUsers().add('bob');
  t.teardown(() => revokedTestUsers().delete('bob'));
  client.socket.send(execute(undefined, 3));
  t.match(await client.next(), { status: -1, id: 3, method: '/api/rest_j/v1/entrance/execute' });
  t.equal((await client.closed).code, 1008);
});

t.test('an upstream that closes is reported by name; the next frame for it reconnects', async (t) => {
  const { gw, plain } = await entranceGateway(t);
  const client = await connect(gw);
  client.socket.send(execute());
  await client.next();
  plain.connections[0]!.socket.close(4000);
  const notice = await client.next((frame) => frame.data?.code === 'LG_ERR_WS_UPSTREAM_CLOSED');
  t.match(notice, { status: 1, data: { application: 'linkis-cg-entrance', instance: plain.hostPort, closeCode: 4000 } });
  client.socket.send(execute());
  t.match(await client.next((frame) => frame.from === 'plain'), { from: 'plain' });
  t.equal(plain.connections.length, 2);
});

t.test('a refused upstream is an error frame for the frames that needed it', async (t) => {
  const gone = await startWsUpstream('gone');
  const hostPort = gone.hostPort;
  await gone.close();
  const gw = await startGateway(t, `${TEST_AUTH_YAML}registry:\n  static:\n    - { app: linkis-cg-entrance, instances: ["${hostPort}"] }\n`, { files: TEST_AUTH_FILES });
  const client = await connect(gw);
  client.socket.send(execute(undefined, 1));
  t.match(await client.next(), { id: 1, data: { code: 'LG_ERR_WS_UPSTREAM_CONNECT' } });
});

t.test('a frame over websocket.maxMessageBytes closes the connection with 1009', async (t) => {
  const { gw } = await entranceGateway(t, 'websocket: { maxMessageBytes: 1KiB }\n');
  const client = await connect(gw);
  client.socket.send(JSON.stringify({ method: '/api/rest_j/v1/entrance/execute', data: { code: 'x'.repeat(2000) } }));
  t.equal((await client.closed).code, 1009);
});

t.test('the number of upstream sockets per client connection is capped', async (t) => {
  const { gw } = await entranceGateway(t, 'websocket: { maxUpstreams: 1 }\n');
  const client = await connect(gw);
  client.socket.send(execute());
  t.match(await client.next(), { from: 'plain' });
  client.socket.send(execute('et1', 2));
  t.match(await client.next(), { id: 2, data: { code: 'LG_ERR_WS_TOO_MANY_UPSTREAMS' } });
});

t.test('after a reload, open connections route their next frames with the new config', async (t) => {
  const { gw, tagged } = await entranceGateway(t);
  const client = await connect(gw);
  client.socket.send(execute());
  t.match(await client.next(), { from: 'plain' });
  await gw.writeConfig(`${TEST_AUTH_YAML}registry:\n  static:\n    - { app: linkis-cg-entrance, instances: ["${tagged.hostPort}"] }\n`);
  t.match(await gw.gateway.reload(), { ok: true, changed: true });
  client.socket.send(execute());
  t.match(await client.next(), { from: 'tagged' }, 'the tagged instance lost its label in the new config');
});

t.test('an instance that stops answering pings is dropped', async (t) => {
  const deaf = await startWsUpstream('deaf', { autoPong: false });
  t.teardown(() => deaf.close());
  const gw = await startGateway(t, `${TEST_AUTH_YAML}websocket: { heartbeat: 100ms }\nregistry:\n  static:\n    - { app: linkis-cg-entrance, instances: ["${deaf.hostPort}"] }\n`, { files: TEST_AUTH_FILES });
  const client = await connect(gw);
  client.socket.send(execute());
  await client.next();
  const notice = await client.next((frame) => frame.data?.code === 'LG_ERR_WS_UPSTREAM_CLOSED');
  t.equal(notice.data.closeCode, 1006, 'terminated after a missed pong');
  t.equal(client.socket.readyState, WebSocket.OPEN, 'the client connection stays');
});

t.test('a slow client pauses its upstreams instead of buffering without bound', async (t) => {
  const flood = await startWsUpstream('flood', { silent: true });
  t.teardown(() => flood.close());
  const gw = await startGateway(t, `${TEST_AUTH_YAML}websocket: { maxBufferedBytes: 64KiB }\nregistry:\n  static:\n    - { app: linkis-cg-entrance, instances: ["${flood.hostPort}"] }\n`, { files: TEST_AUTH_FILES });
  const socket = new WebSocket(gw.gateway.url.replace('http', 'ws') + CONNECT, { headers: { 'x-test-user': 'alice' } });
  await new Promise((resolve) => socket.once('open', resolve));
  let count = 0;
  socket.on('message', () => count++);
  socket.send(execute());
  while (flood.connections.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
  const upstream = flood.connections[0]!.socket;
  const frame = 'x'.repeat(16 * 1024);
  const total = 2000;
  for (let i = 0; i < total; i++) upstream.send(frame);
  // Without backpressure the gateway would drain all 32 MiB from the instance within this second.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  t.ok(upstream.bufferedAmount > 8 * 1024 * 1024, `the instance is held back (${(upstream.bufferedAmount / 1048576).toFixed(1)} MiB still waiting on its side)`);
  (socket as unknown as { _socket: { resume(): void } })._socket.resume();
  const deadline = Date.now() + 20_000;
  while (count < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal(count, total, 'every frame arrives once the client reads again');
  socket.close();
});

t.test('tunnel paths are proxied 1:1, and reserved close codes are never forwarded (S24)', async (t) => {
  const echo = await startWsUpstream('echo');
  t.teardown(() => echo.close());
  const gw = await startGateway(t, `${TEST_AUTH_YAML}websocket: { tunnels: ["^/ws/tunnel/"] }
registry:
  static:
    - { app: notebook, instances: ["${echo.hostPort}"] }
parsers:
  - use: rules
    options: { rules: [ { name: tunnel, match: "/ws/tunnel/notebook/.*", application: notebook } ] }
`, { files: TEST_AUTH_FILES });
  const client = await connect(gw, '/ws/tunnel/notebook/k1?x=1');
  client.socket.send('plain text, not JSON');
  t.match(await client.next(), { from: 'echo', path: '/ws/tunnel/notebook/k1?x=1', got: 'plain text, not JSON' });
  echo.connections[0]!.socket.terminate();
  t.equal((await client.closed).code, 1011, 'the upstream dropped (1006): the client hears 1011');
});

t.test('shutting the gateway down closes WebSocket clients with 1001', async (t) => {
  const { gw } = await entranceGateway(t);
  const client = await connect(gw);
  client.socket.send(execute());
  await client.next();
  await gw.close();
  t.equal((await client.closed).code, 1001);
});

t.test('shutting the gateway down closes tunnelled WebSocket clients with 1001, and their instance sockets', async (t) => {
  const echo = await startWsUpstream('echo');
  t.teardown(() => echo.close());
  const gw = await startGateway(t, `${TEST_AUTH_YAML}websocket: { tunnels: ["^/ws/tunnel/"] }
registry: { static: [ { app: notebook, instances: ["${echo.hostPort}"] } ] }
parsers: [ { use: rules, options: { rules: [ { name: tunnel, match: "/ws/tunnel/notebook/.*", application: notebook } ] } } ]
`, { files: TEST_AUTH_FILES });
  const client = await connect(gw, '/ws/tunnel/notebook/k1');
  client.socket.send('hello');
  await client.next();
  const upstreamClosed = new Promise<number>((resolve) => echo.connections[0]!.socket.once('close', (code) => resolve(code)));
  await gw.close();
  t.equal((await client.closed).code, 1001);
  t.equal(await upstreamClosed, 1001, 'the instance hears the same going-away');
});

t.test('a reload while a handshake awaits its auth closes none of the plugins that handshake still uses', async (t) => {
  const events: string[] = [];
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let authStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => (authStarted = resolve));
  Object.assign(globalThis, { __wsReloadEvents: events, __wsReloadHeld: held, __wsReloadStarted: () => authStarted() });
  const echo = await startWsUpstream('echo');
  t.teardown(() => echo.close());
  const slowAuth = `export default {
  kind: 'auth', name: 'slow', version: '1.0.0', priority: 0, optionsSchema: { type: 'object', properties: { tag: { type: 'string' } } },
  create(options) {
    globalThis.__wsReloadEvents.push('create ' + options.tag);
    return {
      async authenticate() {
        globalThis.__wsReloadStarted();
        await globalThis.__wsReloadHeld;
        return { user: 'alice', admin: false, via: 'slow' };
      },
      close() { globalThis.__wsReloadEvents.push('close ' + options.tag); },
    };
  },
};
`;
  const config = (tag: string) => `security: { auth: [ { use: ./slow.js, options: { tag: ${tag} } } ] }
websocket: { tunnels: ["^/ws/tunnel/"] }
registry: { static: [ { app: notebook, instances: ["${echo.hostPort}"] } ] }
parsers: [ { use: rules, options: { rules: [ { name: tunnel, match: "/ws/tunnel/notebook/.*", application: notebook } ] } } ]
`;
  const gw = await startGateway(t, config('one'), { files: { 'slow.js': slowAuth } });
  const opening = connect(gw, '/ws/tunnel/notebook/k1', {});
  await started;
  await gw.writeConfig(config('two'));
  t.match(await gw.gateway.reload(), { ok: true, changed: true });
  t.same(events, ['create one', 'create two'], 'the handshake still holds the first config: its plugins stay open');
  release();
  const client = await opening;
  client.socket.send('hello');
  t.match(await client.next(), { from: 'echo', got: 'hello' }, 'the tunnel opened on the config it started with');
  for (let i = 0; i < 200 && events.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  t.same(events, ['create one', 'create two', 'close one'], 'closed once the handshake is done');
  client.socket.close();
});

t.test('a parser\'s bodySchema guards WebSocket frames as it guards HTTP bodies: the frame\'s data is its body', async (t) => {
  const schema = JSON.stringify({
    type: 'object', required: ['executionContent'],
    properties: { executionContent: { type: 'object', required: ['code'], properties: { code: { type: 'string' } } }, labels: { type: 'object' } },
  });
  const { gw, tagged, plain } = await entranceGateway(t, `parsers:
  - { use: entrance-execution, bodySchema: ${schema} }
  - use: linkis-default
`);
  const client = await connect(gw);
  client.socket.send(JSON.stringify({ id: 1, method: '/api/rest_j/v1/entrance/execute', data: { executionContent: { runType: 'sql' }, labels: { route: 'et1' } } }));
  t.match(await client.next(), { id: 1, status: 1, data: { code: 'LG_ERR_BODY_SCHEMA', pointer: '/executionContent/code', reason: 'is required' } });
  client.socket.send(JSON.stringify({ id: 2, method: '/api/rest_j/v1/entrance/execute' }));
  t.match(await client.next(), { id: 2, data: { code: 'LG_ERR_BODY_MALFORMED_JSON', reason: /empty/ } }, 'a frame without data fails the schema as a POST without a body does, with the same code');
  client.socket.send('{"id":3,"method":"/api/rest_j/v1/entrance/execute","data":{"executionContent":{"code":"x"},"role":"user","role":"admin"}}');
  t.match(await client.next(), { id: 3, data: { code: 'LG_ERR_BODY_DUPLICATE_KEY' } }, 'with a schema, every key counts');
  t.equal(tagged.connections.length + plain.connections.length, 0, 'no failing frame reached an instance');
  client.socket.send(execute('et1', 4));
  t.match(await client.next(), { from: 'tagged', got: execute('et1', 4) }, 'a frame that matches is routed on its label');
  client.socket.close();
});
