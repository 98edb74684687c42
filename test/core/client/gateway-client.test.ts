/**
 * The client SDK against running gateways (the security of issue 4: password logins, sessions,
 * tokens, the gateway heartbeat) and the example entrance service registered through Eureka.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayClient } from '../../../core/client/index.js';
import { TEST_SECRET, passwordStrategy } from '../../helpers/auth.js';
import { register, registration } from '../../helpers/eureka.js';
import { startGateway, staticRegistry, type TestGateway } from '../../helpers/gateway.js';
import { repoPath } from '../../helpers/paths.js';
import { startService } from '../../helpers/service-process.js';
import { startUpstream } from '../../helpers/upstream.js';

const ENTRANCE = repoPath('dist/examples/entrance-service/main.js');
const PASSWORD = 'client-sdk-password-1';
const TOKEN = 'CLIENT-SDK-TOKEN-0123456789abcdef';

async function config(ttl = '1h', registry = ''): Promise<string> {
  const token = `    - use: token\n      options: { tokens: [ { code: ${TOKEN}, users: [alice], hosts: ["*"] } ] }\n`;
  return `security:\n  session: { secret: ${TEST_SECRET}, ttl: ${ttl} }\n  auth:\n    - use: session\n${await passwordStrategy([{ name: 'hadoop', password: PASSWORD, admin: true }])}${token}`
    + `router: { use: label, options: { serverList: [linkis-cg-entrance] } }\n${registry}`;
}

function entrance(t: Parameters<typeof startService>[0], gw: TestGateway) {
  return startService(t, ENTRANCE, ['--eureka', `${gw.gateway.adminUrl}/eureka/`, '--heartbeat', '500ms', '--job-ms', '60000']);
}

function client(t: { teardown(fn: () => unknown): void }, options: ConstructorParameters<typeof GatewayClient>[0]): GatewayClient {
  const made = new GatewayClient(options);
  t.teardown(() => made.close());
  return made;
}

t.test('logs in by password, submits a job and follows it by exec ID: status, progress, log, kill', async (t) => {
  const gw = await startGateway(t, await config());
  const service = await entrance(t, gw);
  const logins: string[] = [];
  const sdk = client(t, { gateways: gw.gateway.url, auth: { user: 'hadoop', password: PASSWORD }, onLogin: (at) => void logins.push(at) });
  const job = await sdk.submit({ executionContent: { code: 'echo hi', runType: 'shell' }, labels: { engineType: 'shell-1' } });
  t.match(job, { execID: /^exec_id/, taskID: 1, instance: service.instance });
  t.same(logins, [gw.gateway.url], 'logged in once, before the first request');
  t.match(await sdk.status(job.execID), { status: 'Running', execID: job.execID });
  t.match(await sdk.progress(job.execID), { execID: job.execID });
  t.match(await sdk.log(job.execID, { fromLine: 0, size: 100 }), { log: ['', '', /accepted by .* for hadoop/, /./] });
  t.match(await sdk.kill(job.execID), { execID: job.execID });
  t.match(await sdk.status(job.execID), { status: 'Cancelled' });
  t.match(await sdk.execute({ executionCode: 'ls', runType: 'shell' }), { execID: /^exec_id/ });
  t.equal(logins.length, 1);
  await t.rejects(sdk.status('exec_id018007linkis-cg-entrancee9:9104IDE_x_0'), { code: 'LG_ERR_CLIENT_REQUEST_FAILED', data: { httpStatus: 503, errCode: 10051 } });

  const wrong = client(t, { gateways: gw.gateway.url, auth: { user: 'hadoop', password: 'wrong-password' } });
  await t.rejects(wrong.submit({ executionContent: { code: 'ls' } }), { code: 'LG_ERR_CLIENT_LOGIN_FAILED', message: /hadoop/ });
});

t.test('a token client sends Token-User and Token-Code on every request and never logs in', async (t) => {
  const gw = await startGateway(t, await config());
  await entrance(t, gw);
  const logins: string[] = [];
  const sdk = client(t, { gateways: gw.gateway.url, auth: { tokenUser: 'alice', tokenCode: TOKEN }, onLogin: (at) => void logins.push(at) });
  const job = await sdk.submit({ executionContent: { code: 'ls', runType: 'shell' } });
  t.match(job.execID, /IDE_alice_/, 'the entrance sees the token user');
  t.match(await sdk.status(job.execID), { status: 'Running' });
  t.same(logins, []);
  const refused = client(t, { gateways: gw.gateway.url, auth: { tokenUser: 'bob', tokenCode: TOKEN } });
  await t.rejects(refused.status(job.execID), { code: 'LG_ERR_CLIENT_NOT_LOGGED_IN' }, 'a token cannot log in again: the 401 is final');
});

t.test('after the session expires the next request logs in again, once, and succeeds', async (t) => {
  const gw = await startGateway(t, await config('1s'));
  await entrance(t, gw);
  const logins: string[] = [];
  const sdk = client(t, { gateways: gw.gateway.url, auth: { user: 'hadoop', password: PASSWORD }, onLogin: (at) => void logins.push(at) });
  const job = await sdk.submit({ executionContent: { code: 'ls', runType: 'shell' } });
  await sleep(1500);
  t.match(await sdk.status(job.execID), { status: 'Running' }, 'answered after the silent re-login');
  t.equal(logins.length, 2);
});

t.test('a second 401 after the re-login is LG_ERR_CLIENT_NOT_LOGGED_IN', async (t) => {
  let loginCalls = 0;
  const fake = await startUpstream('fake-gateway', (req, res) => {
    if (req.url?.startsWith('/api/rest_j/v1/user/login')) {
      loginCalls++;
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': `linkis_user_session_ticket_id_v1=t${loginCalls}; Path=/` });
      res.end(JSON.stringify({ method: null, status: 0, message: 'login successful', data: { userName: 'hadoop' } }));
      return;
    }
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.url, status: -1, message: 'You are not logged in, please login first', data: {} }));
  });
  t.teardown(() => fake.close());
  const sdk = client(t, { gateways: fake.url, auth: { user: 'hadoop', password: PASSWORD }, discovery: false });
  await t.rejects(sdk.status('exec_id'), { code: 'LG_ERR_CLIENT_NOT_LOGGED_IN', message: /not logged in/ });
  t.equal(loginCalls, 2, 'one login, one re-login, no loop');
  t.match(fake.received.filter((r) => r.url.includes('/status')).map((r) => r.headers.cookie), ['linkis_user_session_ticket_id_v1=t1', 'linkis_user_session_ticket_id_v1=t2']);
});

t.test('the job history is read through the gateway from the public service', async (t) => {
  const publicService = await startUpstream('publicservice', (req, res) => {
    const history = req.url?.includes('/list') ? { tasks: [{ taskID: 42 }], totalPage: 1 } : { task: { taskID: 42, status: 'Succeed' } };
    const ok = !req.url?.includes('/7/');
    res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? { method: req.url, status: 0, message: 'OK', data: history } : { method: req.url, status: 1, message: 'no such task', data: {} }));
  });
  t.teardown(() => publicService.close());
  const gw = await startGateway(t, await config('1h', staticRegistry({ 'linkis-ps-publicservice': [publicService] })));
  const sdk = client(t, { gateways: gw.gateway.url, auth: { user: 'hadoop', password: PASSWORD } });
  t.same(await sdk.jobHistory(42), { task: { taskID: 42, status: 'Succeed' } });
  t.same(await sdk.listJobs({ pageNow: 1, status: 'Succeed' }), { tasks: [{ taskID: 42 }], totalPage: 1 });
  await t.rejects(sdk.jobHistory(7), { code: 'LG_ERR_CLIENT_REQUEST_FAILED', message: /jobhistory\/7\/get/, data: { status: 1, httpStatus: 400 } });
  t.same(publicService.received.map((r) => r.url), ['/api/rest_j/v1/jobhistory/42/get', '/api/rest_j/v1/jobhistory/list?pageNow=1&status=Succeed', '/api/rest_j/v1/jobhistory/7/get']);
  t.equal(publicService.received[0]!.headers['x-linkis-user'], 'hadoop', 'the gateway names the logged-in user');
});

t.test('the client discovers the second gateway through the heartbeat and fails over to it when the first goes away', async (t) => {
  const first = await startGateway(t, await config());
  const service = await entrance(t, first);
  const second = await startGateway(t, await config('1h', staticRegistry({ 'linkis-cg-entrance': [{ hostPort: service.instance }] })));
  for (const gw of [first, second]) {
    for (const peer of [first, second]) {
      const port = Number(new URL(peer.gateway.url).port);
      t.equal((await register(gw, 'linkis-mg-gateway', registration('linkis-mg-gateway', `127.0.0.1:${port}`, port))).status, 204);
    }
  }
  const logins: string[] = [];
  const sdk = client(t, { gateways: [first.gateway.url], auth: { user: 'hadoop', password: PASSWORD }, onLogin: (at) => void logins.push(at) });
  const job = await sdk.submit({ executionContent: { code: 'ls', runType: 'shell' } });
  t.same(sdk.gateways.map((gateway) => gateway.url).sort(), [first.gateway.url, second.gateway.url].sort(), 'both known after discovery');

  await first.close();
  t.match(await sdk.status(job.execID), { status: 'Running', execID: job.execID }, 'answered through the second gateway');
  t.same(logins, [first.gateway.url, second.gateway.url], 'sessions are per gateway: one login at each');
  t.ok(sdk.gateways.find((gateway) => gateway.url === first.gateway.url)!.unhealthyUntil > Date.now(), 'the first is set aside');
  t.match(await sdk.progress(job.execID), { execID: job.execID });

  await second.close();
  await t.rejects(sdk.status(job.execID), { code: 'LG_ERR_CLIENT_NO_GATEWAY' });
});
