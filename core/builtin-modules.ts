/** The modules every gateway runs, in set-up order (core/modules.ts). */
import { dashboardModule } from './dashboard-module.js';
import { etcdModule } from './etcd/etcd-module.js';
import { metricsModule } from './metrics/metrics-module.js';
import type { GatewayModule } from './modules.js';
import { createRegistryModule } from './registry/registry-module.js';
import { securityModule } from './security-module.js';
import { accessLogModule } from './telemetry/access-log.js';
import { websocketModule } from './ws-module.js';

export const BUILTIN_MODULES: readonly (() => GatewayModule)[] = [
  // First, so `services.metrics` exists when later modules and plugins register worker pools.
  metricsModule,
  accessLogModule,
  // Before the registry and security: they keep their data in its store when `registry.store: etcd`.
  etcdModule,
  createRegistryModule,
  () => securityModule(),
  websocketModule,
  dashboardModule,
];
