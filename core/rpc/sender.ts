/**
 * A Sender talks to one target: every live instance of an application (balanced), or one exact
 * `host:port` (spec/linkis.md §8.1). It is a thin handle: the node owns the chain, the queue
 * and the connections, so senders are cheap to make and need no closing.
 *
 *   ask(msg)                  POST …/receiveAndReply, resolves to the answer (undefined: none)
 *   ask(msg, { timeout })     POST …/replyInMills with data.duration; late → LG_ERR_RPC_TIMEOUT
 *   ask(msg, { expect: T })   resolves to the value of a T answer, anything else is an error
 *   send(msg)                 POST …/receive, resolves once the receiver queued it
 *   deliver(msg)              queued locally, sent in the background (see delivery.ts)
 */
import { GatewayError } from '../errors.js';
import type { CallKind, Target } from './invocation.js';
import type { Message, MessageType } from './message-types.js';

export interface AskOptions {
  /** Milliseconds for the whole ask, retries included; the receiver gets what is left. */
  readonly timeout?: number;
}

export interface SendOptions {
  /** For a broadcast type: tell these `host:port`s instead of every live instance. */
  readonly instances?: readonly string[];
}

/** What a sender needs from its node. */
export interface SenderHost {
  invoke(kind: CallKind, message: Message, target: Target, options: AskOptions & SendOptions): Promise<Message | undefined>;
  deliver(message: Message, target: Target): void;
}

export class Sender {
  constructor(private readonly host: SenderHost, readonly target: Target) {}

  ask<R>(message: Message, options: AskOptions & { readonly expect: MessageType<R> }): Promise<R>;
  ask(message: Message, options?: AskOptions & SendOptions): Promise<Message | undefined>;
  async ask(message: Message, options: AskOptions & SendOptions & { readonly expect?: MessageType } = {}): Promise<unknown> {
    const reply = await this.host.invoke('ask', message, this.target, options);
    if (!options.expect) return reply;
    const got = reply?.type ?? 'no answer';
    if (options.expect.is(reply)) return reply.value;
    throw new GatewayError('LG_ERR_RPC_UNEXPECTED_REPLY', { expected: options.expect.type, target: this.describe(), got });
  }

  async send(message: Message, options: SendOptions = {}): Promise<void> {
    await this.host.invoke('send', message, this.target, options);
  }

  /** Queues the message and returns at once; throws only when the queue is full or closed. */
  deliver(message: Message): void {
    this.host.deliver(message, this.target);
  }

  describe(): string {
    return this.target.instance === undefined ? this.target.application : `${this.target.instance} (${this.target.application})`;
  }
}
