/**
 * Fans a broadcast type out (spec/linkis.md §8.4): one `send` per instance, in parallel, to the
 * instances the call lists, else those the type lists, else every live instance of the target
 * application; a sender pinned to one instance tells just that one. It resolves once every
 * instance answered. Failures are reported to `onFailure`; only a type with `throwsIfAnyFailed`
 * rejects (LG_ERR_RPC_BROADCAST_FAILED, the first failure as `cause`).
 */
import { GatewayError } from '../../errors.js';
import type { Call, Invocation, RpcInterceptor } from '../invocation.js';

export interface BroadcastFailure {
  readonly type: string;
  readonly instance: string;
  readonly error: unknown;
}

export class BroadcastInterceptor implements RpcInterceptor {
  readonly name = 'broadcast';
  readonly priority = Number.MAX_SAFE_INTEGER;

  constructor(
    private readonly liveInstances: (application: string) => Promise<readonly string[]>,
    private readonly onFailure: (failure: BroadcastFailure) => void,
  ) {}

  wrap(next: Call): Call {
    // Not async on the way through: most invocations are not broadcasts, and each await costs.
    return (invocation) => (invocation.messageType.policies.broadcast && !invocation.fannedOut ? this.fanOut(next, invocation) : next(invocation));
  }

  private async fanOut(next: Call, invocation: Invocation): Promise<undefined> {
    const policy = invocation.messageType.policies.broadcast!;
    const targets = await this.targets(invocation, policy.instances);
    const results = await Promise.allSettled(targets.map((instance) => next({
      ...invocation, kind: 'send', fannedOut: true, target: { application: invocation.target.application, instance },
    })));
    const failed = results.flatMap((result, index) => (result.status === 'rejected' ? [{ instance: targets[index]!, error: result.reason as unknown }] : []));
    for (const failure of failed) this.onFailure({ type: invocation.message.type, ...failure });
    if (failed.length > 0 && policy.throwsIfAnyFailed) {
      throw new GatewayError('LG_ERR_RPC_BROADCAST_FAILED', { failed: failed.length, total: targets.length, type: invocation.message.type }, {
        cause: failed[0]!.error, data: { failed: failed.map((failure) => failure.instance), retryable: false },
      });
    }
    return undefined;
  }

  private async targets(invocation: Invocation, listed: readonly string[] | undefined): Promise<readonly string[]> {
    if (invocation.instances) return invocation.instances;
    if (invocation.target.instance !== undefined) return [invocation.target.instance];
    if (listed) return listed;
    return this.liveInstances(invocation.target.application);
  }
}
