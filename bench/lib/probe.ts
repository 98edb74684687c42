/** Runs the fixed-rate latency probe (probe-runner.ts) in a child process of its own. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJsonChild } from './processes.js';

export interface ProbeOptions {
  readonly url: string;
  /** Requests per second, spread evenly. */
  readonly rate: number;
  readonly durationSeconds: number;
  readonly connections?: number;
}

/** Latencies in microseconds; results of several runs can be merged before taking percentiles. */
export interface ProbeResult {
  readonly errors: number;
  readonly latencies: readonly number[];
}

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'probe-runner.js');

export function runProbe(options: ProbeOptions, core?: number): Promise<ProbeResult> {
  return runJsonChild<ProbeResult>(RUNNER, options, core);
}

/** The q-quantile (0..1) of the latencies of all `results`, in microseconds. */
export function percentile(results: readonly ProbeResult[], q: number): number {
  const all = results.flatMap((result) => result.latencies).sort((a, b) => a - b);
  return all[Math.min(all.length - 1, Math.floor(q * all.length))] ?? 0;
}
