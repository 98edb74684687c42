/**
 * `import … from 'labelgate'`: run a gateway from code, and the types plugin authors need.
 * The RPC and client SDKs are `labelgate/rpc` and `labelgate/client`; plugin contracts alone are
 * `labelgate/contracts`.
 */
export { Gateway, type GatewayOptions } from './gateway.js';
export { GatewayError, ERRORS, type ErrorCode } from './errors.js';
export { ConfigError, type ConfigProblem } from './config-errors.js';
export { parseConfigText, loadConfigFile, type LoadedConfig } from './config-loader.js';
export type { GatewayConfig } from './config-types.js';
export type { GatewayModule, ModuleContext } from './modules.js';
export * from './contracts.js';
