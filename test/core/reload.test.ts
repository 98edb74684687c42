/** Hot reload: build → validate → swap, all or nothing, without dropping requests. */
import t from 'tap';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startGateway, staticRegistry } from '../helpers/gateway.js';
import { captureLog } from '../helpers/logs.js';
import { startUpstream } from '../helpers/upstream.js';

const OPEN = 'security: { passThrough: ["^/"] }\n';

function rulesConfig(registry: string, application: string, extraRules = ''): string {
  return `${OPEN}${registry}parsers:
  - use: rules
    options:
      rules:
        - { name: jobs, match: "/api/rest_j/v1/jobs/.+", application: ${application} }
${extraRules}  - use: linkis-default
`;
}

async function pollUntil<T>(probe: () => Promise<T>, accept: (value: T) => boolean, deadlineMs = 5000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

t.test('a rule added to the file takes effect after a reload, and /admin/config shows the new version', async (t) => {
  const a = await startUpstream('a');
  const b = await startUpstream('b');
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const registry = staticRegistry({ 'app-a': [a], 'app-b': [b] });
  const gw = await startGateway(t, rulesConfig(registry, 'app-a'));
  t.equal((await gw.request('/api/rest_j/v1/reports/x')).status, 404, 'no rule for /reports yet');
  await gw.writeConfig(rulesConfig(registry, 'app-a', '        - { name: reports, match: "/api/rest_j/v1/reports/.+", application: app-b }\n'));
  const outcome = await gw.gateway.reload();
  t.match(outcome, { ok: true, changed: true, version: 2 });
  t.equal((await gw.request('/api/rest_j/v1/reports/x')).json().upstream, 'b');
  const status = (await gw.admin('/admin/config')).json();
  t.equal(status.version, 2);
  t.equal(status.error, null);
  t.equal(status.file, gw.configFile);
});

t.test('reloading an unchanged file changes nothing', async (t) => {
  const gw = await startGateway(t, OPEN);
  t.match(await gw.gateway.reload(), { ok: true, changed: false, version: 1 });
});

t.test('a broken file is refused: the running config stays and the reason is shown with its position', async (t) => {
  const a = await startUpstream('a');
  t.teardown(() => a.close());
  const registry = staticRegistry({ 'app-a': [a] });
  const gw = await startGateway(t, rulesConfig(registry, 'app-a'));
  const broken = rulesConfig(registry, 'app-a').replace('security:', 'securty:');
  await gw.writeConfig(broken);
  const outcome = await gw.gateway.reload();
  t.equal(outcome.ok, false);
  t.equal((await gw.request('/api/rest_j/v1/jobs/1')).json().upstream, 'a', 'still serving the old config');
  const status = (await gw.admin('/admin/config')).json();
  t.equal(status.version, 1, 'the version in force');
  t.match(status.error, { code: 'LG_ERR_CONFIG_SCHEMA', pointer: '/securty', file: gw.configFile });
  t.equal(status.error.line, broken.split('\n').findIndex((line) => line.startsWith('securty')) + 4, 'line of the unknown key (after the 3 listener lines the helper adds)');
  t.type(status.error.column, 'number');
  t.type(status.error.at, 'string');

  await gw.writeConfig(rulesConfig(registry, 'app-a', '        - { name: twin, match: "/api/rest_j/v1/jobs/[0-9]+", application: app-a }\n'));
  const overlap = await gw.gateway.reload();
  t.equal(overlap.ok, false);
  t.equal((await gw.admin('/admin/config')).json().error.code, 'LG_ERR_CONFIG_RULES_OVERLAP');

  await gw.writeConfig(rulesConfig(registry, 'app-a'));
  t.match(await gw.gateway.reload(), { ok: true });
  t.equal((await gw.admin('/admin/config')).json().error, null, 'going back to the running file clears the error');
});

t.test('a YAML syntax error on reload is refused with the report labelgate check prints, in the log and in /admin/config', async (t) => {
  const log = captureLog('info');
  const gw = await startGateway(t, OPEN, { logger: log.logger });
  await writeFile(gw.configFile, `admin: { host: 127.0.0.1, port: 0 }\nserver: { host: 127.0.0.1, port: \${PORT} }\n${OPEN}`);
  const outcome = await gw.gateway.reload();
  t.equal(outcome.ok, false);
  const status = (await gw.admin('/admin/config')).json();
  t.equal(status.version, 1, 'the running config stays');
  t.match(status.error, { code: 'LG_ERR_CONFIG_YAML_VARIABLE_IN_FLOW', file: gw.configFile, line: 2, column: 34 });
  const check = await runCli(['check', '-c', gw.configFile], { PORT: '9001' });
  t.equal(check.code, 1);
  t.equal(status.error.report, check.stderr.trimEnd(), 'the same text as labelgate check');
  t.match(status.error.report, /\n  2 \| server: \{ host: 127\.0\.0\.1, port: \$\{PORT\} \}\n    \| {34}\^{7}/);
  const refused = log.lines().find((line) => String(line.msg).startsWith('config reload refused'));
  t.equal(refused?.msg, `config reload refused, version 1 stays:\n${check.stderr.trimEnd()}`, 'and in the log');
});

t.test('bad input on reload: missing variable, unknown plugin, bad port, half-written file', async (t) => {
  const gw = await startGateway(t, OPEN);
  const cases: [string, string][] = [
    [`${OPEN}admin:\n  token: \${NOT_SET_ANYWHERE_42}\n`, 'LG_ERR_CONFIG_ENV_MISSING'],
    [`${OPEN}parsers: [ { use: no-such-parser } ]\n`, 'LG_ERR_CONFIG_PLUGIN_NOT_FOUND'],
    [`${OPEN}upstream: { connections: -1 }\n`, 'LG_ERR_CONFIG_SCHEMA'],
    [`${OPEN}parsers:\n  - use: rules\n    options: { rules: [ { name: x, match: "/a/(b" , application: y } ] }\n`, 'LG_ERR_CONFIG_PLUGIN_OPTIONS'],
  ];
  for (const [yaml, code] of cases) {
    await gw.writeConfig(yaml);
    const outcome = await gw.gateway.reload();
    t.equal(outcome.ok ? 'ok' : outcome.error.code, code, code);
  }
  await writeFile(gw.configFile, '');
  const empty = await gw.gateway.reload();
  t.equal(empty.ok ? 'ok' : empty.error.code, 'LG_ERR_CONFIG_YAML', 'an empty (half-written) file is a failed build, not an outage');
  t.equal((await gw.admin('/admin/config')).json().version, 1);
});

t.test('with watching on, saving the file applies the change without a call', async (t) => {
  const a = await startUpstream('a');
  const b = await startUpstream('b');
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const registry = staticRegistry({ 'app-a': [a], 'app-b': [b] });
  const gw = await startGateway(t, rulesConfig(registry, 'app-a'), { watch: true });
  t.equal((await gw.request('/api/rest_j/v1/jobs/1')).json().upstream, 'a');
  await gw.writeConfig(rulesConfig(registry, 'app-b'));
  const seen = await pollUntil(async () => (await gw.request('/api/rest_j/v1/jobs/1')).json().upstream, (upstream) => upstream === 'b');
  t.equal(seen, 'b');
});

t.test('a request finishes on the pipeline it started with', async (t) => {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const slow = await startUpstream('slow', (_req, res) => void held.then(() => res.end('{"upstream":"slow"}')));
  const fast = await startUpstream('fast');
  t.teardown(() => Promise.all([slow.close(), fast.close()]));
  const registry = staticRegistry({ 'app-slow': [slow], 'app-fast': [fast] });
  const gw = await startGateway(t, rulesConfig(registry, 'app-slow'));
  const inFlight = gw.request('/api/rest_j/v1/jobs/1');
  while (slow.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await gw.writeConfig(rulesConfig(registry, 'app-fast'));
  t.match(await gw.gateway.reload(), { ok: true, changed: true });
  t.equal((await gw.request('/api/rest_j/v1/jobs/2')).json().upstream, 'fast', 'new requests use the new pipeline');
  release();
  const answer = await inFlight;
  t.equal(answer.status, 200);
  t.equal(answer.json().upstream, 'slow', 'the old request completed where it started');
});

t.test('replaced plugin instances are closed only after their last request ends', async (t) => {
  const events: string[] = [];
  (globalThis as Record<string, unknown>).__reloadTestEvents = events;
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const slow = await startUpstream('slow', (_req, res) => void held.then(() => res.end('{}')));
  t.teardown(() => slow.close());
  const plugin = `export default {
  kind: 'interceptor', name: 'tracker', version: '1.0.0', priority: 1, optionsSchema: { type: 'object', properties: { tag: { type: 'string' } } },
  create(options) {
    globalThis.__reloadTestEvents.push('create ' + options.tag);
    return { wrap: (next) => next, close() { globalThis.__reloadTestEvents.push('close ' + options.tag); } };
  },
};
`;
  const config = (tag: string) => `${OPEN}${staticRegistry({ 'linkis-ps-publicservice': [slow] })}interceptors: [ { use: ./tracker.js, options: { tag: ${tag} } } ]\n`;
  const gw = await startGateway(t, config('one'), { files: { 'tracker.js': plugin } });
  const inFlight = gw.request('/api/rest_j/v1/udf/x');
  while (slow.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await gw.writeConfig(config('two'));
  await gw.gateway.reload();
  t.same(events, ['create one', 'create two'], 'the old instance stays open while its request runs');
  release();
  await inFlight;
  await pollUntil(async () => events.length, (n) => n >= 3);
  t.same(events, ['create one', 'create two', 'close one']);
});

t.test('a load loop running through 20 reloads sees zero failed requests', async (t) => {
  const a = await startUpstream('a');
  const b = await startUpstream('b');
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const registry = staticRegistry({ 'app-a': [a], 'app-b': [b] });
  const gw = await startGateway(t, rulesConfig(registry, 'app-a'));
  let stop = false;
  let ok = 0;
  const failures: string[] = [];
  const worker = async () => {
    while (!stop) {
      const answer = await gw.request('/api/rest_j/v1/jobs/1', { method: 'POST', body: '{"x":1}', headers: { 'content-type': 'application/json' } });
      if (answer.status === 200) ok++;
      else failures.push(`${answer.status} ${answer.text}`);
    }
  };
  const workers = Array.from({ length: 8 }, worker);
  for (let i = 0; i < 20; i++) {
    await gw.writeConfig(rulesConfig(registry, i % 2 === 0 ? 'app-b' : 'app-a', `        - { name: r${i}, match: "/api/rest_j/v1/r${i}/.+", application: app-a }\n`));
    const outcome = await gw.gateway.reload();
    if (!outcome.ok) failures.push(`reload ${i}: ${outcome.error.message}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  stop = true;
  await Promise.all(workers);
  t.same(failures, [], 'no failed request');
  t.ok(ok > 100, `${ok} requests succeeded across the reloads`);
  t.equal((await gw.admin('/admin/config')).json().version, 21);
});

t.test('editing a path plugin reloads it', async (t) => {
  const a = await startUpstream('a');
  const b = await startUpstream('b');
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const parser = (application: string) => `export default {
  kind: 'parser', name: 'fixed', version: '1.0.0', priority: 1, optionsSchema: { type: 'object' },
  create() { return { patterns: [{ name: 'all', source: '/fixed/.*' }], parse: () => ({ application: '${application}' }) }; },
};
`;
  const gw = await startGateway(t, `${OPEN}${staticRegistry({ 'app-a': [a], 'app-b': [b] })}parsers: [ { use: ./fixed.js } ]\n`, { files: { 'fixed.js': parser('app-a') }, watch: true });
  t.equal((await gw.request('/fixed/x')).json().upstream, 'a');
  await writeFile(path.join(gw.dir, 'fixed.js'), parser('app-b'));
  const seen = await pollUntil(async () => (await gw.request('/fixed/x')).json().upstream, (upstream) => upstream === 'b');
  t.equal(seen, 'b');
});
