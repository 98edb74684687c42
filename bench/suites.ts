/** Every benchmark `npm run bench` knows, in the order it runs them. */
import type { Benchmark } from './lib/report.js';

export const SUITES: readonly (() => Promise<Benchmark>)[] = [
  async () => (await import('./body/suite.js')).default,
];
