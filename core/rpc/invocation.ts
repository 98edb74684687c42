/**
 * The sender's interceptor chain. Every `ask` and `send` becomes one Invocation that passes
 * through the interceptors, outermost first, to the call that puts it on the wire:
 *
 *   sender.ask / send / deliver
 *        │ Invocation { kind, message, target, deadline }
 *        ▼
 *   broadcast ── a broadcast type fans out: one pinned Invocation per live (or listed) instance
 *        ▼
 *   cache ────── a cacheable ask answers from memory (expire after access), else remembers the answer
 *        ▼
 *   retry ────── connect errors and retryable replies, with backoff, while the deadline allows
 *        ▼
 *   custom ───── your interceptors, higher priority outermost (ties by name); once per attempt
 *        ▼
 *   call ─────── pick an instance (balanced, or the pinned one), POST, decode the reply
 *
 * An interceptor is a `next → next'` wrapper; one with state (the cache) keeps it in a class.
 */
import type { Message, MessageType } from './message-types.js';

/** Where an invocation goes: every live instance of `application` (balanced), or one `host:port`. */
export interface Target {
  readonly application: string;
  readonly instance?: string;
}

export type CallKind = 'ask' | 'send';

export interface Invocation {
  readonly kind: CallKind;
  readonly message: Message;
  readonly messageType: MessageType;
  readonly target: Target;
  /** The caller's timeout for a timed ask (sent as `data.duration`, the `replyInMills` verb). */
  readonly timeout: number | undefined;
  /** Epoch ms after which the invocation, retries included, has failed. */
  readonly deadline: number;
  /** 0 for the first try. */
  readonly attempt: number;
  /** For a broadcast: the `host:port`s to tell instead of every live instance. */
  readonly instances?: readonly string[];
  /** Set on the per-instance invocations a broadcast makes (they are not broadcast again). */
  readonly fannedOut?: boolean;
}

export type Call = (invocation: Invocation) => Promise<Message | undefined>;

export interface RpcInterceptor {
  readonly name: string;
  /** Higher runs first (outermost) among custom interceptors; ties are broken by name. */
  readonly priority: number;
  wrap(next: Call): Call;
}

/** Custom interceptors in the order they wrap: higher priority outermost, then by name. */
export function orderInterceptors(custom: readonly RpcInterceptor[]): RpcInterceptor[] {
  return [...custom].sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
}

/** Wraps `call` so that `interceptors[0]` is the outermost. */
export function compose(interceptors: readonly RpcInterceptor[], call: Call): Call {
  return interceptors.reduceRight<Call>((next, interceptor) => interceptor.wrap(next), call);
}
