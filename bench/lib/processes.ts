/**
 * Child processes for benchmarks: pinned to a core with `taskset` where it exists, started
 * until they print a line `READY <url>`, stopped at the end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

/**
 * The command and arguments that run `command` pinned to `core` (unpinned without taskset),
 * at `niceness` (background load runs at a high one, so it cannot delay what measures).
 */
export function pinned(command: string, args: string[], core?: number, niceness = 0): [string, string[]] {
  const [run, runArgs]: [string, string[]] = core === undefined || !hasTaskset ? [command, args] : ['taskset', ['-c', String(core), command, ...args]];
  return niceness === 0 ? [run, runArgs] : ['nice', ['-n', String(niceness), run, ...runArgs]];
}

export function tasksetAvailable(): boolean {
  return hasTaskset;
}

/** Runs `script` with one JSON argument in a child process and parses the JSON it prints. */
export function runJsonChild<T>(script: string, options: unknown, core?: number, niceness = 0): Promise<T> {
  return new Promise((resolve, reject) => {
    const [command, args] = pinned(process.execPath, [script, JSON.stringify(options)], core, niceness);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}`));
      resolve(JSON.parse(output) as T);
    });
  });
}

export interface Started {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** A child not ready within this is killed; one not gone this long after SIGTERM gets SIGKILL. */
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

/** Runs a node script that prints `READY <url>` once it listens. */
export function startNode(script: string, args: string[], core?: number, env: NodeJS.ProcessEnv = {}, niceness = 0): Promise<Started> {
  return new Promise((resolve, reject) => {
    const [command, fullArgs] = pinned(process.execPath, [script, ...args], core, niceness);
    const child = spawn(command, fullArgs, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    const notReady = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} was not ready within ${READY_TIMEOUT_MS / 1000} s`));
    }, READY_TIMEOUT_MS);
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /READY (\S+)/.exec(buffered);
      if (!match) return;
      clearTimeout(notReady);
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolve({
        url: match[1]!,
        child,
        stop: () => new Promise((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
          child.once('exit', () => {
            clearTimeout(kill);
            done();
          });
          child.kill('SIGTERM');
        }),
      });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(notReady);
      reject(new Error(`${script} exited with ${code} before it was ready`));
    });
    child.once('error', reject);
  });
}
