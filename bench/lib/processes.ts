/**
 * Child processes for benchmarks: pinned to a core with `taskset` where it exists, started
 * until they print a line `READY <url>`, stopped at the end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

/** The command and arguments that run `command` pinned to `core` (unpinned without taskset). */
export function pinned(command: string, args: string[], core?: number): [string, string[]] {
  if (core === undefined || !hasTaskset) return [command, args];
  return ['taskset', ['-c', String(core), command, ...args]];
}

export function tasksetAvailable(): boolean {
  return hasTaskset;
}

export interface Started {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Runs a node script that prints `READY <url>` once it listens. */
export function startNode(script: string, args: string[], core?: number, env: NodeJS.ProcessEnv = {}): Promise<Started> {
  return new Promise((resolve, reject) => {
    const [command, fullArgs] = pinned(process.execPath, [script, ...args], core);
    const child = spawn(command, fullArgs, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /READY (\S+)/.exec(buffered);
      if (!match) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolve({
        url: match[1]!,
        child,
        stop: () => new Promise((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
      });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
    child.once('error', reject);
  });
}
