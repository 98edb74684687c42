/**
 * Graceful shutdown as operators trigger it: `labelgate start` in a child process receiving
 * SIGTERM while requests are in flight.
 */
import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
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
