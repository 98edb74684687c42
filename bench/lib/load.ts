/**
 * Load generation with autocannon, in a child process of its own so the load generator does
 * not share an event loop (or, with taskset, a core) with what it measures.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { pinned } from './processes.js';

export interface LoadOptions {
  readonly url: string;
  readonly connections?: number;
  readonly durationSeconds?: number;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly pipelining?: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly non2xx: number;
}

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'autocannon-runner.js');

export function runLoad(options: LoadOptions, core?: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const [command, args] = pinned(process.execPath, [RUNNER, JSON.stringify(options)], core);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon runner exited with ${code}`));
      resolve(JSON.parse(output) as LoadResult);
    });
  });
}
