/** The modules every gateway runs, in set-up order (core/modules.ts). */
import { etcdModule } from './etcd/etcd-module.js';
import type { GatewayModule } from './modules.js';
import { createRegistryModule } from './registry/registry-module.js';
import { securityModule } from './security-module.js';
import { websocketModule } from './ws-module.js';

export const BUILTIN_MODULES: readonly (() => GatewayModule)[] = [
  etcdModule,
  createRegistryModule,
  () => securityModule(),
  websocketModule,
];
