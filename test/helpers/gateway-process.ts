/**
 * A gateway in a process of its own, started as users start it (`labelgate start -c FILE`), for
 * tests where several gateways share one etcd. Listeners bind to port 0; the addresses come from
 * the line the CLI prints. The process is stopped by PID at teardown; its output is kept for
 * failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { eventually } from './eureka.js';
import { makeTempDir } from './gateway.js';
import { httpRequest, type Answer, type RequestInit } from './http.js';
import { listeningOn } from './cli.js';
import { CLI } from './paths.js';
const START_DEADLINE_MS = 20_000;

/** Enough for any test config: sessions shared between gateways need one explicit secret. */
export const SHARED_SECRET = 'labelgate-test-secret-0123456789abcdef';

export interface GatewayProcess {
  readonly url: string;
  readonly adminUrl: string;
  readonly dir: string;
  readonly configFile: string;
  readonly child: ChildProcess;
  request(pathAndQuery: string, init?: RequestInit): Promise<Answer>;
  admin(pathAndQuery: string, init?: RequestInit): Promise<Answer>;
  /** Resolves once /readyz answers 200. */
  ready(): Promise<void>;
  output(): string;
  /** Peak resident memory of the process so far (VmHWM), in bytes; Linux only. */
  peakRss(): Promise<number>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** YAML of an etcd-backed gateway on loopback ports 0; `extra` adds sections. */
export function etcdGatewayYaml(endpoints: readonly string[], prefix: string, extra = ''): string {
  return `server: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
registry:
  store: etcd
  etcd: { endpoints: ${JSON.stringify(endpoints)}, prefix: ${prefix}, timeout: 2s }
log: { level: ${process.env.LABELGATE_TEST_LOG === '1' ? 'debug' : 'warn'} }
${extra}`;
}

export async function startGatewayProcess(t: Teardown, yaml: string, env: NodeJS.ProcessEnv = {}): Promise<GatewayProcess> {
  const dir = await makeTempDir('labelgate-gw-');
  const configFile = path.join(dir, 'gateway.yaml');
  await writeFile(configFile, yaml);
  const child = spawn(process.execPath, [CLI, 'start', '-c', configFile], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  let stdout = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const addresses = await new Promise<{ url: string; adminUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start within ${START_DEADLINE_MS} ms:\n${output}`)), START_DEADLINE_MS);
    const look = (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = listeningOn(stdout);
      if (!found) return;
      clearTimeout(timer);
      child.stdout!.off('data', look);
      stdout = '';
      resolve(found);
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited with ${code}:\n${output}`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        process.kill(child.pid!, 'SIGTERM');
      });
    }
    await rm(dir, { recursive: true, force: true });
  };
  t.teardown(stop);
  const admin = (pathAndQuery: string, init?: RequestInit) => httpRequest(addresses.adminUrl + pathAndQuery, init);
  return {
    ...addresses,
    dir,
    configFile,
    child,
    request: (pathAndQuery, init) => httpRequest(addresses.url + pathAndQuery, init),
    admin,
    ready: () => eventually(async () => (await admin('/readyz').catch(() => undefined))?.status === 200, START_DEADLINE_MS, 'gateway ready'),
    output: () => output,
    peakRss: async () => Number(/VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024,
    stop,
  };
}
