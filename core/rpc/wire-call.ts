/**
 * The innermost step of the sender's chain: choose the instance (the pinned one, or the next live
 * instance of the application in round-robin order, so a retry goes to another one), POST the
 * envelope to the verb the invocation needs, and decode the reply against the message registry.
 */
import { GatewayError } from '../errors.js';
import type { Discovery } from './discovery.js';
import type { Call, Invocation } from './invocation.js';
import type { MessageRegistry } from './message-types.js';
import type { RpcTransport } from './transport.js';
import { RPC_PATHS, decodeReply, encodeRequest, type Caller } from './wire.js';

export interface WireCallDeps {
  readonly transport: RpcTransport;
  readonly messages: MessageRegistry;
  readonly discovery: Discovery;
  /** This node's identity, sent as `data.name` / `data.instance` (known once it listens). */
  caller(): Caller;
}

/** Round-robin over the live instances of each application. */
class Balancer {
  private readonly next = new Map<string, number>();

  pick(application: string, instances: readonly string[]): string {
    const key = application.toLowerCase();
    const index = this.next.get(key) ?? Math.floor(Math.random() * instances.length);
    this.next.set(key, (index + 1) % 1_000_000_007);
    return instances[index % instances.length]!;
  }
}

function noInstance(application: string): GatewayError {
  return new GatewayError('LG_ERR_RPC_NO_INSTANCE', { application }, { data: { retryable: true, received: false } });
}

/** The instance for this attempt; synchronous unless the registry copy has to be fetched again. */
function chooseInstance(deps: WireCallDeps, balancer: Balancer, invocation: Invocation): string | Promise<string> {
  const { target } = invocation;
  if (target.instance !== undefined) return target.instance;
  const live = deps.discovery.instances(target.application);
  if (live.length > 0) return balancer.pick(target.application, live);
  // A service that just started may not be in our copy of the registry yet: look once more.
  return deps.discovery.refresh().then(() => {
    const fresh = deps.discovery.instances(target.application);
    if (fresh.length === 0) throw noInstance(target.application);
    return balancer.pick(target.application, fresh);
  });
}

function verbPath(invocation: Invocation): string {
  if (invocation.kind === 'send') return RPC_PATHS.receive;
  return invocation.timeout === undefined ? RPC_PATHS.receiveAndReply : RPC_PATHS.replyInMills;
}

export function wireCall(deps: WireCallDeps): Call {
  const balancer = new Balancer();
  return async (invocation) => {
    const chosen = chooseInstance(deps, balancer, invocation);
    const instance = typeof chosen === 'string' ? chosen : await chosen;
    const remaining = Math.ceil(invocation.deadline - Date.now());
    const endpoint = { application: invocation.target.application, instance };
    if (remaining <= 0) {
      throw new GatewayError('LG_ERR_RPC_TIMEOUT', { type: invocation.message.type, target: instance, timeout: invocation.timeout ?? 0 }, { data: { retryable: false, received: false } });
    }
    const duration = invocation.kind === 'ask' && invocation.timeout !== undefined ? remaining : undefined;
    const body = encodeRequest(invocation.message, deps.caller(), duration);
    const exchange = await deps.transport.post(endpoint, verbPath(invocation), body, remaining, invocation.message.type);
    return decodeReply(exchange.httpStatus, exchange.text, deps.messages, instance);
  };
}
