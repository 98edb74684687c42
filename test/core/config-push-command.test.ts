/** `labelgate config push` on its own: what it refuses before writing, and its compare-and-swap. */
import t from 'tap';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EtcdConnection } from '../../core/etcd/connection.js';
import { createLogger } from '../../core/logger.js';
import { TEST_SECRET } from '../helpers/auth.js';
import { runCli } from '../helpers/cli.js';
import { freePort, startEtcd } from '../helpers/etcd.js';
import { makeTempDir } from '../helpers/gateway.js';

const etcd = await startEtcd(t);
const connection = new EtcdConnection({ endpoints: etcd.endpoints, prefix: '/push-test/', timeout: 2000 }, createLogger('silent'));
t.teardown(() => connection.close());
const dir = await makeTempDir();
const target = ['--etcd', etcd.endpoints.join(','), '--prefix', '/push-test/'];
const GOOD = `security: { session: { secret: ${TEST_SECRET} } }\nbody: { maxBytes: 1MiB }\n`;

async function file(name: string, text: string): Promise<string> {
  const where = path.join(dir, name);
  await writeFile(where, text);
  return where;
}

const pushedText = async () => (await connection.get('test', connection.keys.config)).kv?.value.toString();

t.test('an invalid document is refused with FILE:LINE:COL and nothing is written', async (t) => {
  const bad = await file('bad.yaml', 'body:\n  maxBytes: lots\n');
  const result = await runCli(['config', 'push', '-c', bad, ...target]);
  t.equal(result.code, 1);
  t.match(result.stderr, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:\\d+ LG_ERR_CONFIG_SCHEMA`));
  t.match(result.stderr, /nothing pushed/);
  t.equal(await pushedText(), undefined);
});

t.test('with no gateway running the document is stored and waits for them', async (t) => {
  const result = await runCli(['config', 'push', '-c', await file('good.yaml', GOOD), ...target]);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /pushed \/push-test\/config\/gateway\.yaml at revision \d+/);
  t.match(result.stdout, /no gateway is running/);
  t.equal(await pushedText(), GOOD);
});

t.test('--if-revision makes the push conditional on what the operator last saw', async (t) => {
  const { kv } = await connection.get('test', connection.keys.config);
  const current = Number(kv!.mod_revision);
  const next = `${GOOD}websocket: { prefix: /w/ }\n`;
  const stale = await runCli(['config', 'push', '-c', await file('next.yaml', next), ...target, '--if-revision', String(current - 1)]);
  t.equal(stale.code, 1);
  t.match(stale.stderr, new RegExp(`LG_ERR_CONFIG_PUSH_CONFLICT .*revision ${current} while this push expected ${current - 1}`));
  t.equal(await pushedText(), GOOD, 'nothing overwritten');
  const fresh = await runCli(['config', 'push', '-c', path.join(dir, 'next.yaml'), ...target, '--if-revision', String(current)]);
  t.equal(fresh.code, 0, fresh.stderr);
  t.equal(await pushedText(), next);
});

t.test('an unreachable etcd is LG_ERR_ETCD_UNAVAILABLE; a missing -c is a usage error', async (t) => {
  const down = await runCli(['config', 'push', '-c', path.join(dir, 'good.yaml'), '--etcd', `http://127.0.0.1:${await freePort()}`]);
  t.equal(down.code, 1);
  t.match(down.stderr, /^LG_ERR_ETCD_UNAVAILABLE etcd \(http:\/\/127\.0\.0\.1:\d+\) did not answer config read/);
  const usage = await runCli(['config', 'push']);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /-c FILE/);
});
