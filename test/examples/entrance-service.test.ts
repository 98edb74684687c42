/**
 * examples/entrance-service booted for real: registered through eureka-js-client with a test
 * gateway, reached through the gateway, deregistered on SIGTERM; and `npm run demo` end to end.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { decodeExecId } from '../../plugins/parsers/exec-id.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { registeredInstances } from '../helpers/eureka.js';
import { repoPath } from '../helpers/paths.js';

const MAIN = repoPath('dist/examples/entrance-service/main.js');
const DEMO = repoPath('dist/examples/entrance-service/demo.js');
const CONFIG = 'security: { passThrough: ["^/api/rest_j/v1/entrance/", "^/ws/api/entrance/"] }\nrouter: { use: label, options: { serverList: [linkis-cg-entrance] } }\n';

interface Started {
  readonly child: ChildProcess;
  readonly instance: string;
  readonly exited: Promise<number | null>;
}

function startEntrance(t: { teardown(fn: () => unknown): void }, gw: TestGateway, extra: string[] = []): Promise<Started> {
  const child = spawn(process.execPath, [MAIN, '--eureka', `${gw.gateway.adminUrl}/eureka/`, '--heartbeat', '500ms', '--job-ms', '60000', '--exit-with-stdin', ...extra], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /READY http:\/\/(\S+)/.exec(text);
      if (match) resolve({ child, instance: match[1]!, exited });
    });
    void exited.then((code) => reject(new Error(`the entrance exited with ${code}: ${text}`)));
  });
}

async function call(gw: TestGateway, method: string, path: string, body?: unknown) {
  const answer = await gw.request(path, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: answer.status, servedBy: answer.headers['x-served-by'], json: answer.json() };
}

t.test('the example entrance registers, issues exec IDs naming itself and answers every job request through the gateway', async (t) => {
  const gw = await startGateway(t, CONFIG);
  const entrance = await startEntrance(t, gw, ['--route', 'et1']);
  const instance = (await registeredInstances(gw))[0];
  t.match(instance, { app: 'LINKIS-CG-ENTRANCE', instanceId: entrance.instance, metadata: { route: 'et1' } });

  const submitted = await call(gw, 'POST', '/api/rest_j/v1/entrance/submit', { executeUser: 'alice', executionContent: { code: 'ls' }, labels: { route: 'et1', engineType: 'shell-1' } });
  t.equal(submitted.servedBy, entrance.instance);
  const execID: string = submitted.json.data.execID;
  t.same([decodeExecId(execID).application, decodeExecId(execID).instance], ['linkis-cg-entrance', entrance.instance]);
  t.match(decodeExecId(execID).shortId, /^IDE_alice_shell_\d+$/);
  for (const action of ['status', 'progress', 'log']) {
    const answer = await call(gw, 'GET', `/api/rest_j/v1/entrance/${execID}/${action}`);
    t.equal(answer.servedBy, entrance.instance, action);
    t.equal(answer.json.status, 0, action);
  }
  t.equal((await call(gw, 'GET', `/api/rest_j/v1/entrance/${execID}/kill`)).json.message, 'kill success');
  t.equal((await call(gw, 'GET', `/api/rest_j/v1/entrance/${execID}/status`)).json.data.status, 'Cancelled');
  t.equal((await call(gw, 'POST', '/api/rest_j/v1/entrance/execute', { labels: { route: 'et1' } })).servedBy, entrance.instance, 'execute as well as submit');
});

t.test('the example speaks the multiplexing protocol: one client connection reaches both entrances', async (t) => {
  const gw = await startGateway(t, CONFIG);
  const tagged = await startEntrance(t, gw, ['--route', 'et1']);
  const plain = await startEntrance(t, gw);
  while ((await registeredInstances(gw)).length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
  const socket = new WebSocket(gw.gateway.url.replace(/^http/, 'ws') + '/ws/api/entrance/connect');
  t.teardown(() => socket.close());
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  const answers = new Map<number, any>();
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    answers.set(frame.id, frame);
  });
  const ask = async (id: number, method: string, data?: unknown) => {
    socket.send(JSON.stringify({ id, method, ...(data ? { data } : {}) }));
    const deadline = Date.now() + 5000;
    while (!answers.has(id) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    return answers.get(id);
  };
  const onTagged = await ask(1, '/api/rest_j/v1/entrance/execute', { executionContent: { code: 'ls' }, labels: { route: 'et1' } });
  t.match(onTagged, { status: 0, id: 1, data: { instance: tagged.instance } });
  const onPlain = await ask(2, '/api/rest_j/v1/entrance/execute', { executionContent: { code: 'ls' } });
  t.match(onPlain, { status: 0, data: { instance: plain.instance } });
  t.match(await ask(3, `/api/rest_j/v1/entrance/${String(onTagged.data.execID)}/status`), { data: { instance: tagged.instance, status: 'Running' } });
  t.match(await ask(4, `/api/rest_j/v1/entrance/${String(onPlain.data.execID)}/log`), { data: { instance: plain.instance } });
  t.match(await ask(5, `/api/rest_j/v1/entrance/${String(onPlain.data.execID)}/pause`), { status: 1, data: { instance: plain.instance } }, 'the entrance answers frames it cannot resolve itself');
  t.match(await ask(6, '/api/rest_j/v1/entrance/nonsense/here'), { status: 1, id: 6, data: { code: 'LG_ERR_PARSE_BAD_EXEC_ID' } }, 'frames the gateway cannot route are answered by the gateway');
});

t.test('markoffline and backonline re-register the example with and without route=offline, and routing follows', async (t) => {
  const gw = await startGateway(t, CONFIG);
  const entrance = await startEntrance(t, gw);
  const operation = (name: string) => call(gw, 'GET', `/api/rest_j/v1/entrance/operation/label/${name}?instance=${entrance.instance}`);
  t.equal((await call(gw, 'POST', '/api/rest_j/v1/entrance/submit', {})).servedBy, entrance.instance);
  t.equal((await operation('markoffline')).servedBy, entrance.instance);
  t.equal((await call(gw, 'POST', '/api/rest_j/v1/entrance/submit', {})).json.data.errCode, 11011, 'out of default traffic as soon as markoffline answered');
  t.equal((await operation('isOnline')).json.data.isOnline, false);
  await operation('backonline');
  t.equal((await call(gw, 'POST', '/api/rest_j/v1/entrance/submit', {})).servedBy, entrance.instance);
  const update = await call(gw, 'POST', `/api/rest_j/v1/entrance/operation/label/update?instance=${entrance.instance}`, { routeLabel: 'et9' });
  t.equal(update.json.status, 0);
  t.equal((await call(gw, 'POST', '/api/rest_j/v1/entrance/submit', { labels: { route: 'et9' } })).servedBy, entrance.instance);
  t.equal((await call(gw, 'POST', `/api/rest_j/v1/entrance/operation/label/update?instance=${entrance.instance}`, { routeLabel: 'bad-label' })).json.status, 1, 'a bad route label is refused');
});

t.test('SIGTERM deregisters the example before it exits; a bad --route refuses to start', async (t) => {
  const gw = await startGateway(t, CONFIG);
  const entrance = await startEntrance(t, gw);
  entrance.child.kill('SIGTERM');
  t.equal(await entrance.exited, 0);
  t.same(await registeredInstances(gw), []);
  const bad = spawn(process.execPath, [MAIN, '--route', 'no-dashes'], { stdio: 'ignore' });
  t.equal(await new Promise((resolve) => bad.once('exit', resolve)), 2);
});

t.test('npm run demo walks through label routing and graceful offline, and every request goes where it says', async (t) => {
  const demo = spawn(process.execPath, [DEMO], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise((resolve) => demo.once('exit', resolve));
  t.equal(code, 0, output);
  t.match(output, /1\. A job without a route label/);
  t.match(output, /5\. Graceful offline/);
  t.match(output, /8\. One WebSocket connection, both entrances/);
  t.match(output, /Every request went where label routing says it should/);
  t.notMatch(output, /UNEXPECTED/);
});
