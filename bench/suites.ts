/** Every benchmark `npm run bench` knows, in the order it runs them. */
import type { Benchmark } from './lib/report.js';

export const SUITES: readonly (() => Promise<Benchmark>)[] = [
  () => import('./suites/auth-overhead.js').then((module) => module.authOverhead),
];
