/**
 * Graceful shutdown as operators trigger it: `labelgate start` in a child process receiving
 * SIGTERM while requests are in flight.
 */
import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { ServerResponse } from 'node:http';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'undici';
import WebSocket from 'ws';
import { makeTempDir } from '../helpers/gateway.js';
import { httpRequest } from '../helpers/http.js';
import { eventually } from '../helpers/eureka.js';
import { listeningOn } from '../helpers/cli.js';
import { CLI } from '../helpers/paths.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly adminUrl: string;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs `labelgate start` on a config routing /api/rest_j/v1/svc/… to `upstream`. */
async function startCli(t: Test, upstream: Upstream, grace: string): Promise<Running> {
  const dir = await makeTempDir();
  const file = path.join(dir, 'gateway.yaml');
  await writeFile(file, `server: { host: 127.0.0.1, port: 0, shutdownGrace: ${grace} }
admin: { host: 127.0.0.1, port: 0 }
labels: { file: ./labels.json }
registry: { static: [{ app: svc, instances: ["${upstream.hostPort}"] }] }
security: { passThrough: ["^/api/", "^/ws/"] }
parsers: [ { use: rules, options: { rules: [ { name: svc, match: "^/api/rest_j/v1/svc/.+$", application: svc } ] } } ]
`);
  const child = spawn(process.execPath, [CLI, 'start', '-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await eventually(() => listeningOn(output) !== undefined || child.exitCode !== null, 20_000, 'the gateway to start');
  const addresses = listeningOn(output);
  if (!addresses) throw new Error(`the gateway did not start:\n${output}`);
  return { child, ...addresses, output: () => output, exited };
}

async function refusesConnections(url: string): Promise<boolean> {
  const client = new Client(url);
  try {
    await httpRequest(`${url}/api/rest_j/v1/svc/probe`, { dispatcher: client });
    return false;
  } catch (error) {
    return (error as { code?: string }).code === 'ECONNREFUSED';
  } finally {
    await client.destroy();
  }
}

t.test('on SIGTERM no request in flight is lost: /readyz turns 503, new connections are refused, WebSockets get 1001, the process exits 0', async (t) => {
  const held: ServerResponse[] = [];
  const upstream = await startUpstream('slow', (_req, res) => held.push(res));
  t.teardown(() => upstream.close());
  const gateway = await startCli(t, upstream, '20s');
  const socket = new WebSocket(`${gateway.url.replace('http', 'ws')}/ws/api/entrance/connect`);
  const wsClosed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));

  const inflight = Array.from({ length: 5 }, (_, i) => httpRequest(`${gateway.url}/api/rest_j/v1/svc/job/${i}`));
  await eventually(() => held.length === 5, 10_000, 'five requests at the upstream');
  gateway.child.kill('SIGTERM');

  await eventually(async () => (await httpRequest(`${gateway.adminUrl}/readyz`)).status === 503, 10_000, '/readyz 503');
  await eventually(() => refusesConnections(gateway.url), 10_000, 'new connections refused');
  t.equal(await wsClosed, 1001, 'WebSocket clients hear 1001 (going away)');
  t.equal(gateway.child.exitCode, null, 'still running while requests are in flight');

  held.forEach((res, i) => res.end(`answer ${i}`));
  const answers = await Promise.all(inflight);
  t.same(answers.map((answer) => answer.status), [200, 200, 200, 200, 200]);
  t.same(answers.map((answer) => answer.text).sort(), [0, 1, 2, 3, 4].map((i) => `answer ${i}`));
  t.equal(await gateway.exited, 0);
  t.match(gateway.output(), /"msg":"stopped"/);
});

t.test('requests still running when the grace period ends are cut, and the process still exits 0', async (t) => {
  const upstream = await startUpstream('stuck', () => { /* never answers */ });
  t.teardown(() => upstream.close());
  const gateway = await startCli(t, upstream, '200ms');
  const stuck = httpRequest(`${gateway.url}/api/rest_j/v1/svc/stuck`);
  await eventually(() => upstream.received.length === 1, 10_000, 'the request at the upstream');
  gateway.child.kill('SIGTERM');
  await t.rejects(stuck, 'the client connection is closed');
  t.equal(await gateway.exited, 0);
  t.match(gateway.output(), /connections still open were cut/);
});

/** A raw keep-alive connection, to see the exact headers of each answer and when the server ends the socket. */
class RawConnection {
  private buffer = '';
  private waiting: (() => void) | undefined;
  ended = false;
  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.waiting?.();
    });
    socket.on('end', () => {
      this.ended = true;
      this.waiting?.();
    });
    socket.on('error', () => undefined);
  }

  static open(url: string): Promise<RawConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(text: string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(text, (error) => (error ? reject(error) : resolve())));
  }

  private async until(condition: () => boolean): Promise<void> {
    while (!condition()) {
      if (this.ended) throw new Error(`the server ended the connection; received:\n${this.buffer}`);
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  /** The next answer (Content-Length or chunked body), its headers lower-cased. */
  async response(): Promise<{ status: number; headers: Record<string, string> }> {
    await this.until(() => this.buffer.includes('\r\n\r\n'));
    const split = this.buffer.indexOf('\r\n\r\n');
    const [statusLine, ...lines] = this.buffer.slice(0, split).split('\r\n');
    const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    const bodyStart = split + 4;
    const length = headers['content-length'];
    let end: number;
    if (length !== undefined) {
      await this.until(() => this.buffer.length >= bodyStart + Number(length));
      end = bodyStart + Number(length);
    } else {
      await this.until(() => this.buffer.indexOf('\r\n0\r\n\r\n', bodyStart - 2) >= 0);
      end = this.buffer.indexOf('\r\n0\r\n\r\n', bodyStart - 2) + 7;
    }
    this.buffer = this.buffer.slice(end);
    return { status: Number(statusLine!.split(' ')[1]), headers };
  }

  async closedByServer(): Promise<boolean> {
    while (!this.ended) await new Promise<void>((resolve) => (this.waiting = resolve));
    return this.buffer === '';
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: labelgate\r\n\r\n`;

t.test('after SIGTERM every answer says Connection: close and its keep-alive connection then ends, on both listeners', async (t) => {
  const held: ServerResponse[] = [];
  const upstream = await startUpstream('svc', (req, res) => {
    if (req.url!.includes('held')) held.push(res);
    else res.end('ok');
  });
  t.teardown(() => upstream.close());
  const gateway = await startCli(t, upstream, '20s');
  const [inflight, late, admin] = await Promise.all([RawConnection.open(gateway.url), RawConnection.open(gateway.url), RawConnection.open(gateway.adminUrl)]);
  t.teardown(() => [inflight, late, admin].forEach((connection) => connection.destroy()));

  // Before the signal: ordinary keep-alive answers on all three connections.
  for (const [connection, path] of [[inflight, '/api/rest_j/v1/svc/a'], [late, '/api/rest_j/v1/svc/b'], [admin, '/healthz']] as const) {
    await connection.write(get(path));
    const answer = await connection.response();
    t.equal(answer.status, 200);
    t.equal(answer.headers.connection, 'keep-alive', `${path} before the signal: keep-alive`);
  }
  await inflight.write(get('/api/rest_j/v1/svc/held'));
  await eventually(() => held.length === 1, 10_000, 'the request in flight at the upstream');
  // Requests begun on the open connections (a connection with a request under way is not idle).
  await late.write('GET /api/rest_j/v1/svc/late HTTP/1.1\r\nHost: labelgate\r\n');
  await admin.write('GET /readyz HTTP/1.1\r\nHost: labelgate\r\n');

  gateway.child.kill('SIGTERM');
  await eventually(async () => (await httpRequest(`${gateway.adminUrl}/readyz`)).status === 503, 10_000, '/readyz 503');

  await late.write('\r\n');
  const lateAnswer = await late.response();
  t.equal(lateAnswer.status, 200, 'a request arriving on an open keep-alive connection is served');
  t.equal(lateAnswer.headers.connection, 'close', 'with Connection: close');
  t.notOk('keep-alive' in lateAnswer.headers, 'and no Keep-Alive header');
  t.ok(await late.closedByServer(), 'then the gateway ends the connection');

  await admin.write('\r\n');
  const adminAnswer = await admin.response();
  t.equal(adminAnswer.status, 503, 'the admin listener still answers /readyz');
  t.equal(adminAnswer.headers.connection, 'close', 'with Connection: close');
  t.ok(await admin.closedByServer());

  held[0]!.end('held answer');
  const inflightAnswer = await inflight.response();
  t.equal(inflightAnswer.status, 200, 'the request in flight is answered');
  t.equal(inflightAnswer.headers.connection, 'close', 'with Connection: close');
  t.ok(await inflight.closedByServer());
  t.equal(await gateway.exited, 0);
});
