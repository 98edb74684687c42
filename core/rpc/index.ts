/**
 * `labelgate/rpc`: the RPC SDK (design §3.6, spec/linkis.md §8). A service defines its message
 * types once, makes an RpcNode, registers the receiver plugin on its Fastify server and sends
 * to other services by application name or exact instance. See the README's "RPC SDK" section.
 */
export { MessageRegistry, DEFAULT_CACHE, DEFAULT_RETRY } from './message-types.js';
export type { Message, MessageType, TypeOptions, TypePolicies, RetryPolicy, CachePolicy, BroadcastPolicy } from './message-types.js';
export { RpcNode } from './rpc-node.js';
export type { RpcNodeOptions, EurekaOptions, CloseReport } from './rpc-node.js';
export { Sender } from './sender.js';
export type { AskOptions, SendOptions } from './sender.js';
export { rpcReceiver, ServiceError } from './receiver-plugin.js';
export type { Receiver, ReceiveContext, RpcReceiverOptions } from './receiver-plugin.js';
export type { RpcInterceptor, Invocation, Call, Target, CallKind } from './invocation.js';
export type { Undelivered } from './delivery.js';
export type { BroadcastFailure } from './interceptors/broadcast.js';
export type { CacheStats } from './interceptors/cache.js';
export { StaticDiscovery, EurekaDiscovery } from './discovery.js';
export type { Discovery } from './discovery.js';
export { RemoteError, RPC_PATHS } from './wire.js';
export type { Caller } from './wire.js';
export { GatewayError } from '../errors.js';
export type { ErrorCode } from '../errors.js';
