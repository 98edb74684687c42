/**
 * Load generation with autocannon, in a child process of its own so the load generator does
 * not share an event loop (or, with taskset, a core) with what it measures.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { runJsonChild } from './processes.js';

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

export function runLoad(options: LoadOptions, core?: number, niceness = 0): Promise<LoadResult> {
  return runJsonChild<LoadResult>(RUNNER, options, core, niceness);
}
