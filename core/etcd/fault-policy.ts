/**
 * How the etcd client treats failing hosts, replacing the npm `etcd3` defaults (spec
 * eureka-and-etcd.md §7.3):
 *
 * - no global retry: `EtcdConnection.call` retries itself, inside one deadline per operation, so
 *   a call never takes three times the deadline and a deadline that has passed is not "retried"
 *   against healthy hosts (which would count as their failures);
 * - per host, a breaker that skips a host after 3 consecutive transport failures and tries it
 *   again after 1 s (etcd3's default waits 5 s, which delays recovery once etcd is back).
 *
 * When the breaker refuses, etcd3's pool moves on to the next host; when every host refuses, the
 * call fails at once with HostSkippedError instead of waiting for a deadline.
 */
import { isRecoverableError, type IOptions } from 'etcd3';

type FaultHandling = NonNullable<IOptions['faultHandling']>;
type Policy = NonNullable<FaultHandling['global']>;

const FAILURES_TO_OPEN = 3;
const REOPEN_AFTER_MS = 1000;

/** A host was skipped because it failed just before. */
export class HostSkippedError extends Error {
  constructor(readonly host: string) {
    super(`etcd host ${host} failed ${FAILURES_TO_OPEN} times in a row; skipped for ${REOPEN_AFTER_MS} ms`);
    this.name = 'HostSkippedError';
  }
}

const noEvent = () => ({ dispose: () => undefined });

type Context = Parameters<Parameters<Policy['execute']>[0]>[0];

function policy(execute: <T>(fn: () => PromiseLike<T> | T) => Promise<T>): Policy {
  return {
    onSuccess: noEvent,
    onFailure: noEvent,
    execute: <T>(fn: (context: Context) => PromiseLike<T> | T, signal?: AbortSignal) => execute(() => fn({ signal: signal ?? new AbortController().signal })),
  } as unknown as Policy;
}

export function hostBreaker(host: string, now: () => number = Date.now): Policy {
  let failures = 0;
  let skipUntil = 0;
  return policy(async (fn) => {
    if (failures >= FAILURES_TO_OPEN && now() < skipUntil) throw new HostSkippedError(host);
    try {
      const result = await fn();
      failures = 0;
      return result;
    } catch (error) {
      if (error instanceof Error && isRecoverableError(error)) {
        failures++;
        if (failures >= FAILURES_TO_OPEN) skipUntil = now() + REOPEN_AFTER_MS;
      }
      throw error;
    }
  });
}

export const faultHandling: FaultHandling = {
  global: policy(async (fn) => fn()),
  host: (host) => hostBreaker(host),
};
