/**
 * `labelgate/client`: the gateway client SDK (design §3.6, spec/linkis.md §9). See the README's
 * "Client SDK" section.
 */
export { GatewayClient } from './gateway-client.js';
export type { GatewayClientOptions, SubmitRequest, ExecuteRequest, JobHandle, JobData } from './gateway-client.js';
export type { ClientAuth, PasswordAuth, TokenAuth } from './credentials.js';
export type { GatewayState } from './gateway-list.js';
export type { CallOptions } from './gateway-transport.js';
export { GatewayError } from '../errors.js';
export type { ErrorCode } from '../errors.js';
