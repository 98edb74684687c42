/**
 * 35: a gateway.yaml pushed with `labelgate config push` is applied by every gateway, or refused
 * by every gateway that cannot build it, which keeps its config and reports why.
 */
import t from 'tap';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EtcdConnection } from '../../../core/etcd/connection.js';
import type { MemberReport } from '../../../core/etcd/member.js';
import { createLogger } from '../../../core/logger.js';
import { TEST_SECRET } from '../../helpers/auth.js';
import { runCli } from '../../helpers/cli.js';
import { eventually } from '../../helpers/eureka.js';
import { startGatewayProcess, type GatewayProcess } from '../../helpers/gateway-process.js';
import { makeTempDir } from '../../helpers/gateway.js';
import { ENTRANCE, registerEntrance, startScaleOut } from '../../helpers/scale-out.js';

const { etcd, a, b, upstream, yaml } = await startScaleOut(t);
const connection = new EtcdConnection({ endpoints: etcd.endpoints, prefix: '/scale-out/', timeout: 2000 }, createLogger('silent'));
t.teardown(() => connection.close());
const dir = await makeTempDir();
// Last of the set-up: tap ends a root test whose last assertion is followed by an idle wait.
t.equal((await registerEntrance(a, 'e-35', upstream.port)).status, 204);

/** A document routing /api/rest_j/v1/shared/… to the entrance; it names etcd itself, as a local file would. */
function pushed(extraSecurity = ''): string {
  return `registry: { store: etcd, etcd: { endpoints: ${JSON.stringify(etcd.endpoints)}, prefix: /scale-out/ } }
security:
  session: { secret: ${TEST_SECRET} }
  passThrough: ["^/api/"]${extraSecurity}
parsers:
  - use: rules
    options: { rules: [ { name: shared, match: "^/api/rest_j/v1/shared/.+$", application: ${ENTRANCE} } ] }
  - use: linkis-default
`;
}

async function push(name: string, text: string, env: Record<string, string> = {}) {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return runCli(['config', 'push', '-c', file, '--wait', '10s'], env);
}

async function members(): Promise<MemberReport[]> {
  return (await connection.list('test', connection.keys.members)).kvs.map((kv) => JSON.parse(kv.value.toString()) as MemberReport);
}

const shared = (gw: GatewayProcess) => gw.request('/api/rest_j/v1/shared/list');
let applied = 0;

t.test('a valid push is applied by both gateways, which keep their own listeners and registry', async (t) => {
  t.not((await shared(a)).status, 200, 'not routed before the push');
  const result = await push('good.yaml', pushed());
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /note: registry in good\.yaml stays local to each gateway/);
  applied = Number(/at revision (\d+)/.exec(result.stdout)?.[1]);
  t.equal(result.stdout.match(/: applied revision \d+/g)?.length, 2, result.stdout);
  for (const gw of [a, b]) {
    const answer = await shared(gw);
    t.equal(answer.status, 200, 'routed by the pushed rule');
    t.equal(answer.headers['x-upstream'], 'entrance-1');
  }
  t.same((await members()).map((member) => member.configRevision), [applied, applied]);
  t.equal((await a.admin('/admin/config')).json().error, null);
});

t.test('a push some gateways cannot build is refused by them: they keep their config and report why', async (t) => {
  // Valid where the CLI runs, but the gateways' environment lacks the variable.
  const result = await push('env.yaml', pushed('\n  ipAllowList: ["${LG_PUSH_ONLY_HERE}"]'), { LG_PUSH_ONLY_HERE: '127.0.0.1' });
  t.equal(result.code, 1);
  const refused = Number(/at revision (\d+)/.exec(result.stdout)?.[1]);
  t.equal(result.stdout.match(/refused, keeps revision \d+: etcd:\/scale-out\/config\/gateway\.yaml@\d+:\d+:\d+ LG_ERR_CONFIG_ENV_MISSING/g)?.length, 2, result.stdout);
  for (const member of await members()) {
    t.equal(member.configRevision, applied, 'the previous push stays in force');
    t.match(member.configError, { revision: refused, code: 'LG_ERR_CONFIG_ENV_MISSING' });
  }
  t.equal((await shared(b)).status, 200, 'still served by the previous config');
  t.match((await b.admin('/admin/config')).json().error, { code: 'LG_ERR_CONFIG_ENV_MISSING' });
});

t.test('a document written to etcd by hand that is not valid YAML is refused the same way', async (t) => {
  const written = await connection.putIf('test', { key: connection.keys.config, value: Buffer.from('parsers: [\n'), compare: [], lease: '0' });
  t.ok(written.ok);
  const revision = written.ok ? written.revision : -1;
  await eventually(async () => (await members()).every((member) => member.configError?.revision === revision), 5000, 'both report it');
  t.same((await members()).map((member) => member.configError?.code), ['LG_ERR_CONFIG_YAML', 'LG_ERR_CONFIG_YAML']);
  t.equal((await shared(a)).status, 200);
});

t.test('a gateway started while etcd holds a refused document does not get ready on its local config; a good push readies it', async (t) => {
  const c = await startGatewayProcess(t, yaml);
  await eventually(async () => (await members()).length === 3, 5000, 'C reports itself');
  t.equal((await c.admin('/readyz')).status, 503, 'not ready');
  const result = await push('good-again.yaml', pushed());
  t.equal(result.code, 0, result.stdout + result.stderr);
  t.equal(result.stdout.match(/: applied revision \d+/g)?.length, 3, 'all three applied it');
  await c.ready();
  t.equal((await shared(c)).status, 200);
  t.same((await members()).map((member) => member.configError), [null, null, null], 'errors cleared');
});
