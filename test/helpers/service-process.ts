/**
 * Child processes of example services for tests: started with `--exit-with-stdin` (so a dying
 * test takes them along), ready once they print `READY http://host:port`, killed at teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** `host:port` it listens on. */
  readonly instance: string;
  readonly url: string;
  readonly exited: Promise<number | null>;
  /** Everything it wrote to stdout and stderr. */
  output(): string;
  /** SIGTERM (it deregisters), resolving with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no goodbye, its registration stays until the lease ends. */
  kill(): Promise<number | null>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export function startService(t: Teardown, script: string, args: readonly string[]): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [script, '--exit-with-stdin', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    return exited;
  };
  t.teardown(() => signal('SIGKILL'));
  return new Promise((resolve, reject) => {
    const onData = () => {
      const match = /READY http:\/\/(\S+)/.exec(text);
      if (!match) return;
      child.stdout!.off('data', onData);
      resolve({ child, instance: match[1]!, url: `http://${match[1]!}`, exited, output: () => text, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') });
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => reject(new Error(`${script} exited with ${code} before it was ready: ${text}`)));
  });
}
