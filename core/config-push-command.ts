/**
 * `labelgate config push -c FILE`: shares FILE with every gateway of an etcd cluster (design
 * §3.7, spec eureka-and-etcd.md §8):
 *
 *   1 validate FILE as `labelgate check` does (nothing is written when it fails)
 *   2 write it to <prefix>config/gateway.yaml with compare-and-swap on the revision read
 *     (or on --if-revision N), so two pushes never silently overwrite each other
 *   3 wait until every gateway under <prefix>members/ reports it applied or refused that revision
 *
 * etcd is found through FILE's own `registry.etcd` (gateways ignore that section of a pushed
 * document), or --etcd URL[,URL…] and --prefix. Exit 0 when every gateway applied it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from './cli-commands.js';
import { ConfigError } from './config-errors.js';
import { localSectionsIn } from './config-layer.js';
import type { GatewayConfig } from './config-types.js';
import { EtcdConnection } from './etcd/connection.js';
import type { MemberReport } from './etcd/member.js';
import { GatewayError } from './errors.js';
import { createLogger } from './logger.js';
import { buildOffline } from './offline-pipeline.js';
import { parseDuration } from './units.js';

const USAGE = 'config push -c FILE [--etcd URL,…] [--prefix P] [--if-revision N] [--wait 5s]';
const POLL_MS = 100;

interface PushOptions {
  readonly file: string;
  readonly endpoints?: string[];
  readonly prefix?: string;
  readonly ifRevision?: number;
  readonly waitMs: number;
}

function parse(args: string[]): PushOptions | string {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      etcd: { type: 'string' },
      prefix: { type: 'string' },
      'if-revision': { type: 'string' },
      wait: { type: 'string' },
    },
  });
  if (!values.config) return 'the file to push is required: -c FILE';
  const ifRevision = values['if-revision'];
  if (ifRevision !== undefined && !/^\d+$/.test(ifRevision)) return '--if-revision takes a revision number (0: only if nothing was pushed yet)';
  const waitMs = values.wait === undefined ? 5000 : parseDuration(values.wait);
  if (waitMs === undefined) return `--wait takes a duration such as 5s, not "${values.wait}"`;
  return {
    file: path.resolve(values.config),
    ...(values.etcd ? { endpoints: values.etcd.split(',').filter(Boolean) } : {}),
    ...(values.prefix ? { prefix: values.prefix } : {}),
    ...(ifRevision === undefined ? {} : { ifRevision: Number(ifRevision) }),
    waitMs,
  };
}

/** Each member's answer to `revision`, once all have answered or the wait is over. */
async function answers(etcd: EtcdConnection, revision: number, waitMs: number): Promise<MemberReport[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const listing = await etcd.list('members list', etcd.keys.members, { code: 'LG_ERR_ETCD_UNAVAILABLE' });
    const members = listing.kvs.flatMap((kv) => {
      try {
        return [JSON.parse(kv.value.toString('utf8')) as MemberReport];
      } catch {
        return [];
      }
    });
    const answered = (member: MemberReport) => member.configRevision >= revision || member.configError?.revision === revision;
    if (members.every(answered) || Date.now() >= deadline) return members;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function describe(member: MemberReport, revision: number): { ok: boolean; line: string } {
  const who = `${member.id} (${member.addr})`;
  if (member.configRevision >= revision) return { ok: true, line: `  ${who}: applied revision ${member.configRevision}` };
  const error = member.configError;
  if (error?.revision === revision) {
    // A gateway of an older version reports no `report`: its first problem is all there is.
    const report = error.report ?? `${error.file}:${error.line ?? 1}:${error.column ?? 1} ${error.code} ${error.message}`;
    const [first, ...rest] = report.split('\n');
    return { ok: false, line: [`  ${who}: refused, keeps revision ${member.configRevision}: ${first}`, ...rest.map((line) => `    ${line}`)].join('\n') };
  }
  return { ok: false, line: `  ${who}: no answer yet (runs revision ${member.configRevision})` };
}

async function push(options: PushOptions): Promise<number> {
  let settings: GatewayConfig['registry']['etcd'];
  try {
    const offline = await buildOffline(options.file);
    settings = offline.pipeline.config.registry.etcd;
    await offline.close();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.stderr.write('nothing pushed\n');
    return 1;
  }
  const text = await readFile(options.file, 'utf8');
  const etcd = new EtcdConnection({
    endpoints: options.endpoints ?? settings.endpoints, prefix: options.prefix ?? settings.prefix, timeout: settings.timeout,
  }, createLogger('silent'));
  try {
    const local = localSectionsIn(text);
    if (local.length > 0) {
      const verb = local.length === 1 ? 'stays' : 'stay';
      process.stdout.write(`note: ${local.join(', ')} in ${path.basename(options.file)} ${verb} local to each gateway; the pushed copy is ignored\n`);
    }
    const code = { code: 'LG_ERR_ETCD_UNAVAILABLE' } as const;
    const current = await etcd.get('config read', etcd.keys.config, code);
    const expected = options.ifRevision ?? Number(current.kv?.mod_revision ?? 0);
    const written = await etcd.putIf('config push', { key: etcd.keys.config, value: Buffer.from(text), compare: [{ target: 'Mod', result: 'Equal', mod_revision: expected }], lease: '0' }, code);
    if (!written.ok) {
      const error = new GatewayError('LG_ERR_CONFIG_PUSH_CONFLICT', { expected, current: Number(written.current?.mod_revision ?? 0) });
      process.stderr.write(`${error.code} ${error.message}\n`);
      return 1;
    }
    process.stdout.write(`pushed ${etcd.keys.config} at revision ${written.revision}\n`);
    const members = await answers(etcd, written.revision, options.waitMs);
    if (members.length === 0) process.stdout.write('no gateway is running; each applies it when it starts\n');
    const results = members.map((member) => describe(member, written.revision));
    for (const result of results) process.stdout.write(`${result.line}\n`);
    return results.every((result) => result.ok) ? 0 : 1;
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    process.stderr.write(`${error.code} ${error.message}\n`);
    return 1;
  } finally {
    etcd.close();
  }
}

export const configPushCommand: CliCommand = {
  name: 'config push',
  usage: `labelgate ${USAGE}
                                            validate FILE, share it with every gateway through etcd, wait for their answers`,
  async run(args) {
    let options: PushOptions | string;
    try {
      options = parse(args);
    } catch (error) {
      options = (error as Error).message;
    }
    if (typeof options === 'string') {
      process.stderr.write(`${options}\nusage: labelgate ${USAGE}\n`);
      return 2;
    }
    return push(options);
  },
};
