/** Every benchmark `npm run bench` knows, in the order it runs them. */
import type { Benchmark } from './lib/report.js';

export const SUITES: readonly (() => Promise<Benchmark>)[] = [
  () => import('./proxy.js').then((m) => m.default),
  () => import('./registry-change.js').then((suite) => suite.registryChange),
  () => import('./routing-scale.js').then((suite) => suite.routingScale),
  () => import('./observability.js').then((suite) => suite.observability),
];
