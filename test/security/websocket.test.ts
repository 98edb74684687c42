/**
 * spec/security-cases.md S13, S23, S24 on the WebSocket multiplexer, with real session logins:
 * handshake paths are normalised and checked before anything is dialled, oversized and
 * compressed frames are refused with bounded memory, reserved close codes never leave the
 * gateway; and a logout ends the open connection at its next frame.
 */
import t from 'tap';
import net from 'node:net';
import WebSocket from 'ws';
import { startGateway } from '../helpers/gateway.js';
import { startWsUpstream } from '../helpers/ws-upstream.js';
import { rawRequest } from '../helpers/http.js';
import { login, passwordStrategy, securitySection } from '../helpers/auth.js';

const UPGRADE = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
const CONNECT = '/ws/api/entrance/connect';
const EXECUTE = JSON.stringify({ id: 1, method: '/api/rest_j/v1/entrance/execute', data: { executionContent: { code: 'ls' } } });

async function setup(t: Parameters<typeof startGateway>[0], extra = '') {
  const entrance = await startWsUpstream('entrance');
  t.teardown(() => entrance.close());
  const gw = await startGateway(t, securitySection(await passwordStrategy([{ name: 'alice', password: 'alice-pw' }]))
    + `registry:\n  static:\n    - { app: linkis-cg-entrance, instances: ["${entrance.hostPort}"] }\n${extra}`);
  const { cookie } = await login(gw, 'alice', 'alice-pw');
  return { gw, entrance, cookie: cookie!, port: Number(new URL(gw.gateway.url).port) };
}

function open(url: string, cookie: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const socket = new WebSocket(url, { headers: { cookie }, ...options });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

const nextFrame = (socket: WebSocket) => new Promise<any>((resolve) => socket.once('message', (data) => resolve(JSON.parse(data.toString()))));
const closeCode = (socket: WebSocket) => new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));

t.test('S13: handshake paths go through the same normaliser and checks as HTTP; nothing is dialled', async (t) => {
  const { port, entrance, cookie } = await setup(t);
  const cases: [string, string, RegExp][] = [
    ['/ws/../admin', `Cookie: ${cookie}\r\n`, /^HTTP\/1\.1 404 /],
    ['/ws/%2e%2e/admin', `Cookie: ${cookie}\r\n`, /^HTTP\/1\.1 400 /],
    ['/ws/..%2fadmin', `Cookie: ${cookie}\r\n`, /^HTTP\/1\.1 400 /],
    ['/ws/..\\admin', `Cookie: ${cookie}\r\n`, /^HTTP\/1\.1 400 /],
    [CONNECT, '', /^HTTP\/1\.1 401 /],
    [CONNECT, 'Cookie: linkis_user_session_ticket_id_v1=forged\r\n', /^HTTP\/1\.1 401 /],
  ];
  for (const [path, extra, status] of cases) {
    const raw = await rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: x\r\n${UPGRADE}${extra}\r\n`, '127.0.0.1', 1500);
    t.match(raw, status, path);
    t.notMatch(raw, /^HTTP\/1\.1 101/, `${path}: never switched protocols`);
  }
  t.equal(entrance.connections.length, 0, 'no upstream socket was opened');
});

t.test('S13: a frame whose method climbs out of its path is routed on the normalised path, never relayed raw', async (t) => {
  const { gw, entrance, cookie } = await setup(t);
  const socket = await open(gw.gateway.url.replace('http', 'ws') + CONNECT, cookie);
  t.teardown(() => socket.close());
  socket.send(JSON.stringify({ id: 5, method: '/api/rest_j/v1/entrance/../../../../admin/config' }));
  t.match(await nextFrame(socket), { id: 5, status: 1, data: { code: 'LG_ERR_PARSE_NO_SERVICE' } });
  socket.send(JSON.stringify({ id: 6, method: '/api/rest_j/v1/entrance/%2e%2e/x/status' }));
  t.match(await nextFrame(socket), { id: 6, data: { code: 'LG_ERR_PATH_ENCODED_DOT_SEGMENT' } });
  t.equal(entrance.frames.length, 0);
});

t.test('S23: a frame declaring a huge length closes with 1009 and memory stays bounded', async (t) => {
  const { gw, port, cookie } = await setup(t, 'websocket: { maxMessageBytes: 64KiB }\n');
  const before = process.memoryUsage().rss;
  const answer = await new Promise<Buffer>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET ${CONNECT} HTTP/1.1\r\nHost: x\r\n${UPGRADE}Cookie: ${cookie}\r\n\r\n`);
      // A masked binary frame header claiming 2^62 bytes, then a burst of "payload".
      socket.write(Buffer.concat([Buffer.from([0x82, 0xff, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]), Buffer.alloc(1024 * 1024, 0x78)]));
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
    setTimeout(() => socket.destroy(), 3000).unref();
  });
  t.match(answer.toString('latin1'), /^HTTP\/1\.1 101 /, 'the handshake itself was fine');
  const closeFrame = answer.subarray(answer.indexOf('\r\n\r\n') + 4);
  t.equal(closeFrame[0], 0x88, 'the gateway answered with a close frame');
  t.equal(closeFrame.readUInt16BE(2), 1009, 'close code 1009 (message too big)');
  t.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'memory stays bounded');
  t.equal((await gw.request('/api/rest_j/v1/user/baseinfo')).status, 200, 'the gateway keeps serving');
});

t.test('S23: permessage-deflate is never negotiated, and a compressed frame is a protocol error', async (t) => {
  const { gw, port, cookie } = await setup(t);
  const socket = await open(gw.gateway.url.replace('http', 'ws') + CONNECT, cookie, { perMessageDeflate: true });
  t.equal(socket.extensions, '', 'the offer of compression was declined');
  socket.close();
  const answer = await new Promise<Buffer>((resolve, reject) => {
    const raw = net.connect(port, '127.0.0.1', () => {
      raw.write(`GET ${CONNECT} HTTP/1.1\r\nHost: x\r\n${UPGRADE}Cookie: ${cookie}\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`);
      // RSV1 set (compressed) on a masked text frame of 4 bytes.
      raw.write(Buffer.from([0xc1, 0x84, 1, 2, 3, 4, 0x10, 0x20, 0x30, 0x40]));
    });
    const chunks: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => chunks.push(chunk));
    raw.on('close', () => resolve(Buffer.concat(chunks)));
    raw.on('error', reject);
    setTimeout(() => raw.destroy(), 3000).unref();
  });
  const text = answer.toString('latin1');
  t.notMatch(text, /sec-websocket-extensions/i);
  const closeFrame = answer.subarray(answer.indexOf('\r\n\r\n') + 4);
  t.equal(closeFrame[0], 0x88);
  t.equal(closeFrame.readUInt16BE(2), 1002, 'protocol error');
});

t.test('S24: an instance that drops its TCP connection never makes the gateway send 1006', async (t) => {
  const { gw, entrance, cookie } = await setup(t, 'websocket: { tunnels: ["^/ws/tunnel/"] }\nparsers:\n  - use: entrance-execution\n  - use: rules\n    options: { rules: [ { name: tunnel, match: "/ws/tunnel/.*", application: linkis-cg-entrance } ] }\n');
  const multiplexed = await open(gw.gateway.url.replace('http', 'ws') + CONNECT, cookie);
  multiplexed.send(EXECUTE);
  await nextFrame(multiplexed);
  entrance.connections[0]!.socket.terminate();
  t.match(await nextFrame(multiplexed), { data: { code: 'LG_ERR_WS_UPSTREAM_CLOSED', closeCode: 1006 } }, 'multiplexed: a notice frame, the connection stays');
  multiplexed.send(EXECUTE);
  t.match(await nextFrame(multiplexed), { from: 'entrance' }, 'and the next frame reconnects');
  multiplexed.close();

  const tunnel = await open(gw.gateway.url.replace('http', 'ws') + '/ws/tunnel/x', cookie);
  const closed = closeCode(tunnel);
  while (entrance.connections.length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
  entrance.connections[2]!.socket.terminate();
  t.equal(await closed, 1011, 'tunnel: the client hears 1011, never the reserved 1006');
  t.equal((await gw.request('/api/rest_j/v1/user/baseinfo')).status, 200, 'no exception, the gateway keeps serving');
});

t.test('a logout ends open connections: the next frame gets status -1 and the socket closes with 1008', async (t) => {
  const { gw, cookie } = await setup(t);
  const socket = await open(gw.gateway.url.replace('http', 'ws') + CONNECT, cookie);
  socket.send(EXECUTE);
  t.match(await nextFrame(socket), { from: 'entrance' });
  const closed = closeCode(socket);
  await gw.request('/api/rest_j/v1/user/logout', { headers: { cookie } });
  socket.send(EXECUTE);
  t.match(await nextFrame(socket), { id: 1, status: -1 });
  t.equal(await closed, 1008);
});
