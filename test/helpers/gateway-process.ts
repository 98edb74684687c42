/**
 * A gateway as users run it: `labelgate start -c FILE` in a child process, ready once it prints
 * `labelgate listening on URL`, stopped with SIGTERM at teardown. For tests that must observe
 * the gateway process itself (its memory, its signals).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir, withTestListeners } from './gateway.js';
import { CLI } from './paths.js';

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  /** Peak resident memory of the process so far (VmHWM), in bytes; Linux only. */
  peakRss(): Promise<number>;
}

export async function startGatewayProcess(t: { teardown(fn: () => unknown): void }, yaml: string): Promise<GatewayProcess> {
  const dir = await makeTempDir();
  const file = path.join(dir, 'gateway.yaml');
  await writeFile(file, withTestListeners(yaml));
  const child = spawn(process.execPath, [CLI, 'start', '-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = /labelgate listening on (http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code}: ${text}`)));
  });
  return {
    child, url, output: () => text,
    peakRss: async () => Number(/VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024,
  };
}
