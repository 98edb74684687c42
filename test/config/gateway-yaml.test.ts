/**
 * The shipped config/gateway.yaml starts with no environment variables (ports aside, so tests do
 * not collide): a session secret and a first-start admin are generated in the data dir, the
 * admin's password is printed once, and it logs in.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { CLI, repoPath } from '../helpers/paths.js';
import { makeTempDir } from '../helpers/gateway.js';
import { httpRequest } from '../helpers/http.js';
import { listeningOn } from '../helpers/cli.js';

interface Running {
  readonly url: string;
  readonly stderr: () => string;
  readonly child: ChildProcess;
}

async function startShipped(t: { teardown(fn: () => unknown): void }, root: string): Promise<Running> {
  // Only the listener ports are overridden; nothing else comes from the environment.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, LABELGATE_HOST: '127.0.0.1', LABELGATE_PORT: '0', LABELGATE_ADMIN_PORT: '0' };
  const child = spawn(process.execPath, [CLI, 'start', '-c', path.join(root, 'config', 'gateway.yaml')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  t.teardown(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const found = listeningOn(stdout);
      if (found) resolve(found.url);
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  return { url, stderr: () => stderr, child };
}

t.test('the shipped config starts without environment, prints a first-start admin password once, and it logs in', async (t) => {
  const root = await makeTempDir();
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await mkdir(path.join(root, 'config'));
  await copyFile(repoPath('config', 'gateway.yaml'), path.join(root, 'config', 'gateway.yaml'));
  await copyFile(repoPath('config', 'gateway.schema.json'), path.join(root, 'config', 'gateway.schema.json'));

  const first = await startShipped(t, root);
  // stderr and stdout are separate pipes: the notice may arrive after the listening line.
  const deadline = Date.now() + 20_000;
  while (!/created with the password/.test(first.stderr()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const password = /created with the password\n\n {4}(\S+)\n/.exec(first.stderr())?.[1];
  t.ok(password, 'the password was printed');
  const loginBody = JSON.stringify({ userName: 'admin', password });
  const answer = await httpRequest(`${first.url}/api/rest_j/v1/user/login`, { method: 'POST', body: loginBody });
  t.equal(answer.status, 200);
  t.equal(answer.json().data.isAdmin, true);
  for (const file of ['session-secret', 'bootstrap-admin.hash']) t.equal((await stat(path.join(root, 'data', file))).mode & 0o777, 0o600, file);
  t.notMatch(await readFile(path.join(root, 'data', 'bootstrap-admin.hash'), 'utf8'), password!, 'only the hash is kept');
  const cookie = String(answer.headers['set-cookie']).split(';')[0]!;

  first.child.kill('SIGTERM');
  await once(first.child, 'exit');
  const second = await startShipped(t, root);
  t.notMatch(second.stderr(), /created with the password/, 'not printed on the next start');
  t.equal((await httpRequest(`${second.url}/api/rest_j/v1/user/login`, { method: 'POST', body: loginBody })).status, 200, 'the same password still works');
  const info = await httpRequest(`${second.url}/api/rest_j/v1/user/userInfo`, { headers: { cookie } });
  t.equal(info.status, 400, 'sessions live in memory: a restart ends them (the secret is kept, the store is not)');
});
