/**
 * Real etcd for tests (Debian's `etcd-server`, spec eureka-and-etcd.md §7): one member or a
 * loopback cluster of three, on free ports, each in a temporary data dir. Start-up is polled
 * (`/health`), never slept; members are stopped by PID at teardown (and killed if the test
 * process exits first), and the data dirs removed.
 *
 * Ports come from the kernel (bind to 0, read, release); test files run concurrently, so a
 * member that cannot bind its port makes the whole cluster start again on fresh ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { makeTempDir } from './gateway.js';

export const ETCD_BINARY = process.env.ETCD_BINARY ?? 'etcd';
const START_DEADLINE_MS = 20_000;
const START_TRIES = 3;

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly dataDir: string;
  /** PID of the running process, undefined while stopped. */
  readonly pid: number | undefined;
  /** SIGKILL by PID, as a crashed machine would go. */
  kill(): Promise<void>;
  /** SIGTERM by PID, waiting for the exit. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data dir; resolves once it is healthy. */
  restart(): Promise<void>;
  /** The last lines etcd logged (for failure messages). */
  log(): Promise<string>;
}

export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Client URLs of every member, for `registry.etcd.endpoints`. */
  readonly endpoints: readonly string[];
  /** The member that currently leads (asked through etcd's HTTP gateway). */
  leader(): Promise<EtcdMember>;
  close(): Promise<void>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function healthy(clientUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
    return response.ok && ((await response.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

async function waitHealthy(members: readonly MemberProcess[]): Promise<void> {
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    const exited = members.find((member) => member.exited);
    if (exited) throw new Error(`etcd ${exited.name} exited while starting:\n${await exited.log()}`);
    if ((await Promise.all(members.map((member) => healthy(member.clientUrl)))).every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`etcd did not become healthy within ${START_DEADLINE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

class MemberProcess implements EtcdMember {
  private child: ChildProcess | undefined;
  exited = false;

  constructor(readonly name: string, readonly clientUrl: string, readonly dataDir: string, private readonly args: readonly string[]) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  spawn(): void {
    const logFile = createWriteStream(path.join(this.dataDir, 'etcd.log'), { flags: 'a' });
    const child = spawn(ETCD_BINARY, [...this.args, '--data-dir', path.join(this.dataDir, 'data')], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.pipe(logFile);
    this.exited = false;
    child.once('exit', () => {
      this.exited = true;
      running.delete(child);
    });
    running.add(child);
    this.child = child;
  }

  async restart(): Promise<void> {
    this.spawn();
    await waitHealthy([this]);
  }

  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  async log(): Promise<string> {
    const text = await readFile(path.join(this.dataDir, 'etcd.log'), 'utf8').catch(() => '');
    return text.split('\n').slice(-15).join('\n');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || this.exited) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      process.kill(child.pid!, signal);
    });
    this.child = undefined;
  }
}

async function launch(count: number, dir: string): Promise<MemberProcess[]> {
  const ports = await Promise.all(Array.from({ length: count * 2 }, () => freePort()));
  const names = Array.from({ length: count }, (_, i) => `m${i + 1}`);
  const peer = (i: number) => `http://127.0.0.1:${ports[count + i]}`;
  const cluster = names.map((name, i) => `${name}=${peer(i)}`).join(',');
  const members = names.map((name, i) => {
    const client = `http://127.0.0.1:${ports[i]}`;
    return new MemberProcess(name, client, path.join(dir, name), [
      '--name', name,
      '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer(i), '--initial-advertise-peer-urls', peer(i),
      '--initial-cluster', cluster, '--initial-cluster-state', 'new', '--initial-cluster-token', path.basename(dir),
      '--logger', 'zap', '--log-outputs', 'stderr',
    ]);
  });
  for (const member of members) await mkdir(member.dataDir, { recursive: true });
  for (const member of members) member.spawn();
  try {
    await waitHealthy(members);
    return members;
  } catch (error) {
    await Promise.all(members.map((member) => member.kill()));
    throw error;
  }
}

/** Starts `count` members (1 or 3) and stops them at teardown. */
export async function startEtcd(t: Teardown, count = 1): Promise<EtcdCluster> {
  const dir = await makeTempDir('labelgate-etcd-');
  let members: MemberProcess[] | undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt < START_TRIES && !members; attempt++) {
    try {
      members = await launch(count, path.join(dir, `try${attempt}`));
    } catch (error) {
      lastError = error;
    }
  }
  if (!members) {
    await rm(dir, { recursive: true, force: true });
    throw lastError;
  }
  const started = members;
  const close = async () => {
    await Promise.all(started.map((member) => member.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  t.teardown(close);
  return {
    members: started,
    endpoints: started.map((member) => member.clientUrl),
    async leader() {
      for (const member of started) {
        if (member.pid === undefined) continue;
        const response = await fetch(`${member.clientUrl}/v3/maintenance/status`, { method: 'POST', body: '{}' }).catch(() => undefined);
        if (!response?.ok) continue;
        const status = (await response.json()) as { header: { member_id: string }; leader: string };
        if (status.header.member_id === status.leader) return member;
      }
      throw new Error('no member reports itself as leader');
    },
    close,
  };
}
