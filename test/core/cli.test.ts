/** The CLI as users run it: exit codes and output of check, explain and schema. */
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir } from '../helpers/gateway.js';
import { CLI, repoPath } from '../helpers/paths.js';
import { listeningOn } from '../helpers/cli.js';
import { eventually } from '../helpers/eureka.js';
import { httpRequest } from '../helpers/http.js';

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

t.test('check exits 0 on the shipped config', async (t) => {
  const result = run(['check', '-c', repoPath('config/gateway.yaml')]);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /ok/);
});

t.test('check exits 1 naming both overlapping rules, a sample URI and FILE:LINE:COL', async (t) => {
  const dir = await makeTempDir();
  const file = path.join(dir, 'gateway.yaml');
  await writeFile(file, `parsers:
  - use: rules
    options:
      rules:
        - name: jobs
          match: "^/api/rest_j/v1/jobhistory/.+$"
          application: a
        - name: jobs-list
          match: "/api/rest_[a-z]+/v1/jobhistory/list"
          application: b
`);
  const result = run(['check', '-c', file]);
  t.equal(result.code, 1);
  const line = result.stderr.trim().split('\n')[0]!;
  t.match(line, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9:\\d+ LG_ERR_CONFIG_RULES_OVERLAP `));
  t.match(line, /rules\/jobs and rules\/jobs-list/);
  t.match(line, /e\.g\. \/api\/rest_j\/v1\/jobhistory\/list/);
});

t.test('check prints every problem on its own line, the first one with its source line', async (t) => {
  const dir = await makeTempDir();
  const file = path.join(dir, 'gateway.yaml');
  await writeFile(file, 'server:\n  port: 99999\n  colour: blue\n');
  const result = run(['check', '-c', file]);
  t.equal(result.code, 1);
  const lines = result.stderr.trimEnd().split('\n');
  const problems = lines.filter((line) => line.startsWith(`${file}:`));
  t.equal(problems.length, 2);
  t.ok(problems.every((line) => / LG_ERR_CONFIG_SCHEMA /.test(line)));
  t.equal(lines.length, 4, 'two problems, the source line and the caret of the first');
});

/** The shipped config with its server block written on one line, as in issue 13. */
async function flowVariableConfig(): Promise<{ file: string; line: number }> {
  const shipped = await readFile(repoPath('config/gateway.yaml'), 'utf8');
  const text = shipped.replace(/^server:\n(?:  .*\n)+/m, 'server: { host: 127.0.0.1, port: ${PORT} }\n');
  const file = path.join(await makeTempDir(), 'gateway.yaml');
  await writeFile(file, text);
  return { file, line: text.split('\n').indexOf('server: { host: 127.0.0.1, port: ${PORT} }') + 1 };
}

t.test('a ${VAR} inside { } is one readable error: position, source line, caret, how to fix it, and a count of the rest', async (t) => {
  const { file, line } = await flowVariableConfig();
  const result = run(['check', '-c', file], { PORT: '9001' });
  t.equal(result.code, 1);
  const lines = result.stderr.trimEnd().split('\n');
  t.ok(lines.length < 15, `${lines.length} lines:\n${result.stderr}`);
  t.equal(lines[0]!.startsWith(`${file}:${line}:34 LG_ERR_CONFIG_YAML_VARIABLE_IN_FLOW `), true, lines[0]);
  t.match(lines[0], /\$\{PORT\}.*quote it \("\$\{PORT\}"\) or write that collection in block style/);
  t.equal(lines[1], `  ${line} | server: { host: 127.0.0.1, port: \${PORT} }`, 'the source line');
  t.equal(lines[2], `  ${' '.repeat(String(line).length)} |${' '.repeat(34)}^^^^^^^`, 'a caret under ${PORT}');
  t.match(lines.at(-1), new RegExp(`^… and \\d+ more errors in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
});

t.test('start prints the same short report as check and exits 1', async (t) => {
  const { file } = await flowVariableConfig();
  const started = run(['start', '-c', file], { PORT: '9001' });
  t.equal(started.code, 1);
  t.ok(started.stderr.split('\n').length < 15, started.stderr);
  t.equal(started.stderr, run(['check', '-c', file], { PORT: '9001' }).stderr);
});

t.test('a quoted "${PORT}" is the integer server.port asks for', async (t) => {
  const file = path.join(await makeTempDir(), 'gateway.yaml');
  await writeFile(file, 'server:\n  host: 127.0.0.1\n  port: "${PORT}"\n');
  const result = run(['check', '-c', file], { PORT: '9001' });
  t.equal(result.code, 0, result.stderr);
});

t.test('check reports a missing environment variable and honours LABELGATE_CONFIG', async (t) => {
  const dir = await makeTempDir();
  const file = path.join(dir, 'gateway.yaml');
  await writeFile(file, 'admin:\n  token: ${LG_TEST_TOKEN}\n');
  const missing = run(['check'], { LABELGATE_CONFIG: file });
  t.equal(missing.code, 1);
  t.match(missing.stderr, /:2:\d+ LG_ERR_CONFIG_ENV_MISSING .*LG_TEST_TOKEN/);
  t.equal(run(['check'], { LABELGATE_CONFIG: file, LG_TEST_TOKEN: 'x'.repeat(40) }).code, 0);
});

t.test('explain prints the parser, the application and the candidate instances', async (t) => {
  const result = run(['explain', '-c', repoPath('config/gateway.yaml'), 'GET', '/api/rest_j/v1/jobhistory/list']);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /parser\s+rules \(rule jobhistory\)/);
  t.match(result.stdout, /application linkis-ps-publicservice/);
  t.match(result.stdout, /- 127\.0\.0\.1:9105 UP/);
});

t.test('explain shows label routing decided by the body', async (t) => {
  const dir = await makeTempDir();
  const file = path.join(dir, 'gateway.yaml');
  await writeFile(file, 'registry:\n  static:\n    - { app: linkis-cg-entrance, instances: ["10.0.0.1:9104"], labels: { route: et1 } }\n    - { app: linkis-cg-entrance, instances: ["10.0.0.2:9104"] }\n');
  const tagged = run(['explain', '-c', file, 'POST', '/api/rest_j/v1/entrance/submit', '-H', 'Content-Type: application/json', '-d', '{"labels":{"route":"et1"}}']);
  t.equal(tagged.code, 0, tagged.stderr);
  t.match(tagged.stdout, /labels=\{"route":"et1"\}/);
  t.match(tagged.stdout, /- 10\.0\.0\.1:9104 UP/);
  t.notMatch(tagged.stdout, /10\.0\.0\.2/);
  const unknown = run(['explain', '-c', file, 'POST', '/api/rest_j/v1/entrance/submit', '-d', '{"labels":{"route":"nope"}}']);
  t.equal(unknown.code, 1);
  t.match(unknown.stdout, /LG_ERR_ROUTE_NO_LABELLED_INSTANCE/);
});

t.test('explain of a refused path says why', async (t) => {
  const result = run(['explain', '-c', repoPath('config/gateway.yaml'), 'GET', '/api/%2e%2e/x']);
  t.equal(result.code, 1);
  t.match(result.stdout, /LG_ERR_PATH_ENCODED_DOT_SEGMENT/);
});

t.test('usage errors exit 2; schema prints the JSON schema', async (t) => {
  t.equal(run(['explain']).code, 2);
  t.equal(run(['frobnicate']).code, 2);
  const schema = run(['schema']);
  t.equal(schema.code, 0);
  t.equal(JSON.parse(schema.stdout).title, 'labelgate gateway.yaml');
});

t.test('start exits 1 with the problem when the config is broken', async (t) => {
  const dir = await makeTempDir();
  const file = path.join(dir, 'gateway.yaml');
  await writeFile(file, 'server:\n  port: 0\nadmin:\n  port: 0\nparsers: [ { use: nope } ]\n');
  const result = run(['start', '-c', file]);
  t.equal(result.code, 1);
  t.match(result.stderr, /:5:\d+ LG_ERR_CONFIG_PLUGIN_NOT_FOUND/);
});

t.test('start writes JSON lines only to stdout (start-up line included, at any log level); the first-start password goes to stderr', async (t) => {
  for (const level of ['info', 'warn']) {
    const dir = await makeTempDir();
    const file = path.join(dir, 'gateway.yaml');
    await writeFile(file, `server: { host: 127.0.0.1, port: 0 }\nadmin: { host: 127.0.0.1, port: 0 }\nlog: { level: ${level} }\nsecurity: { auth: [ { use: password } ] }\n`);
    const child = spawn(process.execPath, [CLI, 'start', '-c', file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    t.teardown(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    const exited = once(child, 'exit');
    await eventually(() => listeningOn(stdout) !== undefined || child.exitCode !== null, 20_000, 'the start-up line');
    const addresses = listeningOn(stdout)!;
    t.ok(addresses, `log level ${level}: the start-up line is on stdout`);
    t.equal((await httpRequest(`${addresses.url}/api/rest_j/v1/user/baseinfo`)).status, 200);
    await eventually(() => /created with the password/.test(stderr), 20_000, 'the first-start password');
    const password = /created with the password\n\n {4}(\S+)\n/.exec(stderr)?.[1];
    child.kill('SIGTERM');
    await exited;
    const lines = stdout.split('\n').filter((line) => line !== '');
    t.ok(lines.length > 0);
    for (const line of lines) t.doesNotThrow(() => JSON.parse(line), `stdout line is JSON: ${line.slice(0, 80)}`);
    t.ok(password, 'the password is printed on stderr');
    t.notOk(stdout.includes(password!), 'and never on stdout');
  }
});

/** A config with one rule whose regex the prover cannot analyse (a backreference), marked unproven. */
async function unprovenConfig(): Promise<string> {
  const file = path.join(await makeTempDir(), 'gateway.yaml');
  await writeFile(file, `registry:
  static:
    - { app: echo, instances: ["10.0.0.1:9000"] }
parsers:
  - use: rules
    options:
      rules:
        - name: proven
          match: "/p/.+"
          application: echo
        - name: twice
          match: "/twice/(a+)-\\\\1"
          application: echo
          unproven: true
`);
  return file;
}

t.test('check passes a config with an unproven rule but lists it as a warning: position, rule, why', async (t) => {
  const file = await unprovenConfig();
  const result = run(['check', '-c', file]);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /ok \(1 warning\)/);
  const lines = result.stderr.trimEnd().split('\n');
  t.equal(lines.length, 1, result.stderr);
  t.ok(lines[0]!.startsWith(`${file}:12:11 LG_WARN_CONFIG_UNPROVEN `), lines[0]);
  t.match(lines[0], /rules\/twice is not proven disjoint/);
  t.match(lines[0], /cannot be analysed \(.*[Bb]ackreference.*\)/);
});

t.test('explain says when the matched rule is unproven, and not otherwise', async (t) => {
  const file = await unprovenConfig();
  const unproven = run(['explain', '-c', file, 'GET', '/twice/aa-aa']);
  t.equal(unproven.code, 0, unproven.stderr);
  t.match(unproven.stdout, /parser\s+rules \(rule twice, unproven\)/);
  t.match(unproven.stdout, /LG_WARN_CONFIG_UNPROVEN .*not proven disjoint.*[Bb]ackreference/);
  const proven = run(['explain', '-c', file, 'GET', '/p/x']);
  t.equal(proven.code, 0, proven.stderr);
  t.match(proven.stdout, /parser\s+rules \(rule proven\)/);
  t.notMatch(proven.stdout, /unproven/i);
});
