/** The modules every gateway runs, in set-up order (core/modules.ts). */
import type { GatewayModule } from './modules.js';
import { securityModule } from './security-module.js';

export const BUILTIN_MODULES: readonly (() => GatewayModule)[] = [
  () => securityModule(),
];
