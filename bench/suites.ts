/** Every benchmark `npm run bench` knows, in the order it runs them. */
import type { Benchmark } from './lib/report.js';

export const SUITES: readonly (() => Promise<Benchmark>)[] = [
  () => import('./suites/proxy.js').then((m) => m.default),
  () => import('./suites/websocket.js').then((suite) => suite.websocket),
  () => import('./suites/registry-change.js').then((suite) => suite.registryChange),
  () => import('./suites/routing-scale.js').then((suite) => suite.routingScale),
  () => import('./suites/auth-overhead.js').then((module) => module.authOverhead),
  () => import('./suites/rpc.js').then((suite) => suite.rpcRoundTrips),
  () => import('./body/suite.js').then((suite) => suite.default),
  () => import('./suites/scale-out.js').then((module) => module.scaleOut),
  () => import('./suites/observability.js').then((suite) => suite.observability),
  () => import('./suites/libraries.js').then((suite) => suite.libraries),
];
