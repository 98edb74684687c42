/**
 * Retries an invocation whose type is retryable (spec/linkis.md §8.4, acceptance 57): the wait
 * before attempt n+1 is min(baseMs × factor^(n-1), maxMs), so the defaults wait 100 ms, then
 * 150 ms. An error is retried only when it says it may be (connect errors, lost connections,
 * timeouts, 15555 and other retryable replies) and when doing it again cannot process the message
 * twice: either no receiver took it (`received: false`), or its type is safe to repeat. The
 * invocation's deadline bounds the whole: no wait goes past it.
 */
import { GatewayError } from '../../errors.js';
import type { Call, Invocation, RpcInterceptor } from '../invocation.js';
import type { Message, RetryPolicy } from '../message-types.js';

export function retryFacts(error: unknown): { retryable: boolean; received: boolean } {
  if (!(error instanceof GatewayError)) return { retryable: false, received: true };
  return { retryable: error.data.retryable === true, received: error.data.received !== false };
}

/** Whether `error` may be retried for this invocation (ignoring attempts and deadline). */
export function mayRetry(error: unknown, invocation: Invocation): boolean {
  const facts = retryFacts(error);
  if (!facts.retryable) return false;
  return !facts.received || invocation.messageType.policies.safeToRepeat;
}

export function backoffMs(attempt: number, policy: { baseMs: number; factor: number; maxMs: number }): number {
  return Math.min(policy.baseMs * policy.factor ** attempt, policy.maxMs);
}

export class RetryInterceptor implements RpcInterceptor {
  readonly name = 'retry';
  readonly priority = Number.MAX_SAFE_INTEGER;
  private readonly sleepers = new Set<() => void>();
  private closed = false;

  wrap(next: Call): Call {
    return (invocation) => (invocation.messageType.policies.retry ? this.attempts(next, invocation, invocation.messageType.policies.retry) : next(invocation));
  }

  private async attempts(next: Call, invocation: Invocation, policy: RetryPolicy): Promise<Message | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await next(attempt === 0 ? invocation : { ...invocation, attempt });
      } catch (error) {
        const wait = backoffMs(attempt, policy);
        if (attempt + 1 >= policy.attempts || !mayRetry(error, invocation) || Date.now() + wait >= invocation.deadline || this.closed) throw error;
        await this.sleep(wait);
        if (this.closed) throw error;
      }
    }
  }

  /** Ends every wait at once: retries stop with their last error when the node closes. */
  close(): void {
    this.closed = true;
    for (const wake of this.sleepers) wake();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
