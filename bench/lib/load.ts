/**
 * Load generation in a child process of its own, so the load generator does not share an event
 * loop (or, with taskset, a core) with what it measures. wrk (C, Debian package `wrk`) is used
 * for plain GETs when installed, since it needs far less CPU than a JavaScript generator and so
 * leaves the core it shares with the upstream free; autocannon otherwise and for bodies.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { pinned, runJsonChild } from './processes.js';

export interface LoadOptions {
  readonly url: string;
  readonly connections?: number;
  readonly durationSeconds?: number;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** A file whose content is the body (for bodies too large for a command line). */
  readonly bodyFile?: string;
  /** Requests per second over all connections; unlimited when absent. */
  readonly overallRate?: number;
  readonly pipelining?: number;
  /** Force a generator (default: wrk for bodiless, unthrottled GETs when installed). */
  readonly tool?: 'wrk' | 'autocannon';
}

export interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly tool: 'wrk' | 'autocannon';
}

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'autocannon-runner.js');
const hasWrk = spawnSync('wrk', ['--version']).error === undefined;

export function wrkAvailable(): boolean {
  return hasWrk;
}

function collect(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} exited with ${code}`))));
  });
}

function millis(text: string | undefined): number {
  const match = /([\d.]+)(us|ms|s)/.exec(text ?? '');
  if (!match) return NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

async function runWrk(options: LoadOptions, core?: number, niceness = 0): Promise<LoadResult> {
  const args = ['-t1', `-c${options.connections ?? 50}`, `-d${options.durationSeconds ?? 10}s`, '--latency'];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}: ${value}`);
  const [command, full] = pinned('wrk', [...args, options.url], core, niceness);
  const output = await collect(command, full);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requests: Number(/(\d+) requests in/.exec(output)?.[1] ?? 0),
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0),
    p50: millis(/^\s*50%\s+(\S+)/m.exec(output)?.[1]),
    p99: millis(/^\s*99%\s+(\S+)/m.exec(output)?.[1]),
    errors: socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    tool: 'wrk',
  };
}

export async function runLoad(options: LoadOptions, core?: number, niceness = 0): Promise<LoadResult> {
  const plainGet = (options.method ?? 'GET') === 'GET' && options.body === undefined && options.bodyFile === undefined
    && options.overallRate === undefined && (options.pipelining ?? 1) === 1;
  const tool = options.tool ?? (hasWrk && plainGet ? 'wrk' : 'autocannon');
  if (tool === 'wrk') return runWrk(options, core, niceness);
  return { ...(await runJsonChild<Omit<LoadResult, 'tool'>>(RUNNER, options, core, niceness)), tool: 'autocannon' };
}
