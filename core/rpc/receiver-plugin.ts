/**
 * The receiving side as a Fastify plugin any service registers (spec/linkis.md §8.3):
 *
 *   await app.register(rpcReceiver, { node, receiver: { receive(msg, sender) {…}, receiveAndReply(msg, sender) {…} } });
 *
 * Each POST is checked before any receiver code runs: an envelope, a registered type, a value
 * its schema accepts, a duration for `replyInMills` (10002), a receiver method for the verb
 * (10000). Then it waits for a slot in a bounded queue (full: the retryable 15555, never a
 * crash). `receive` is acknowledged as soon as it is queued; `receiveAndReply` answers when the
 * receiver returns, or LG_ERR_RPC_TIMEOUT at the deadline (the caller's duration, else
 * `timeout`), when the receiver's `signal` aborts so it can stop. Closing the server drains the
 * queue of accepted `receive`s; asks still running are answered LG_ERR_RPC_CLOSED and told to stop.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ENVELOPE_CONTENT_TYPE } from '../envelope.js';
import { GatewayError } from '../errors.js';
import type { Message } from './message-types.js';
import type { RpcNode } from './rpc-node.js';
import type { Sender } from './sender.js';
import { WorkQueue, isThenable, type QueueTicket } from './work-queue.js';
import { RPC_PATHS, decodeRequest, encodeError, encodeReply, type Caller, type RpcRequest, type RpcVerb } from './wire.js';

export interface ReceiveContext {
  readonly caller: Caller;
  /** The caller's timeout for a timed ask (ms). */
  readonly duration: number | undefined;
  /** Aborts at the deadline (the caller has had its timeout answer) and when the server closes. */
  readonly signal: AbortSignal;
}

type Awaitable<T> = T | Promise<T>;

export interface Receiver {
  /** `send` and `deliver` land here; what it returns is ignored. */
  receive?(message: Message, sender: Sender, context: ReceiveContext): Awaitable<unknown>;
  /** `ask` lands here; return the answer, or undefined for none. */
  receiveAndReply?(message: Message, sender: Sender, context: ReceiveContext): Awaitable<Message | undefined | void>;
}

export interface RpcReceiverOptions {
  readonly node: RpcNode;
  readonly receiver: Receiver;
  /** Messages that may wait for a slot (Linkis: 5000). */
  readonly queueSize?: number;
  /** Receiver calls running at once. */
  readonly concurrency?: number;
  /** Deadline of an ask without a duration, and of a `receive` (ms); default 60 s. */
  readonly timeout?: number;
  /** Largest request body (bytes); default 10 MiB. */
  readonly bodyLimit?: number;
  /** How long closing waits for accepted `receive`s (ms); default 10 s. */
  readonly drainMs?: number;
}

/** A business error a receiver answers with: `errCode` reaches the caller as `errorMsg.errCode`. */
export class ServiceError extends Error {
  readonly errCode: number;
  readonly retryable: boolean;

  constructor(errCode: number, desc: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(desc, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServiceError';
    this.errCode = errCode;
    this.retryable = options.retryable === true;
  }
}

const DEFAULTS = { queueSize: 5000, concurrency: 100, timeout: 60_000, bodyLimit: 10 * 1024 * 1024, drainMs: 10_000 };

function send(reply: FastifyReply, httpStatus: number, body: string): FastifyReply {
  return reply.code(httpStatus).header('content-type', ENVELOPE_CONTENT_TYPE).send(body);
}

/** Answers an error; `received` says whether receiver code ran (the caller's retry needs it). */
function sendError(reply: FastifyReply, method: string, thrown: unknown, received: boolean, type = '?'): FastifyReply {
  if (thrown instanceof ServiceError) {
    const body = JSON.stringify({ method, status: 1, message: thrown.message, data: { errorMsg: { errCode: thrown.errCode, desc: thrown.message }, retryable: thrown.retryable, received } });
    return send(reply, 500, body);
  }
  const error = thrown instanceof GatewayError ? thrown : new GatewayError('LG_ERR_RPC_RECEIVER_FAILED', { type, reason: (thrown as Error)?.message ?? String(thrown) }, { cause: thrown });
  const retryable = error.code === 'LG_ERR_RPC_QUEUE_FULL' || error.data.retryable === true;
  return send(reply, error.httpStatus, encodeError(method, error, { retryable, received, errCode: error.linkisCode }));
}

function checkAnswer(node: RpcNode, answer: unknown, type: string): Message | undefined {
  if (answer === undefined || answer === null) return undefined;
  const message = answer as Message;
  if (typeof message !== 'object' || typeof message.type !== 'string' || !('value' in message)) {
    throw new GatewayError('LG_ERR_RPC_RECEIVER_FAILED', { type, reason: 'receiveAndReply must return a message of a registered type, or undefined' });
  }
  node.messages.check(message);
  return message;
}

/** A receiver call in flight: `expire` answers it now (deadline, close) and tells the receiver to stop. */
interface InFlight {
  expire(reason: GatewayError): void;
}

class ReceiverRoutes {
  private readonly queue: WorkQueue;
  /** Asks end at once when the server closes; accepted sends are drained first. */
  private readonly asks = new Set<InFlight>();
  private readonly sends = new Set<InFlight>();

  constructor(private readonly options: RpcReceiverOptions) {
    this.queue = new WorkQueue(options.queueSize ?? DEFAULTS.queueSize, options.concurrency ?? DEFAULTS.concurrency, () => new GatewayError('LG_ERR_RPC_QUEUE_FULL', {}, { data: { retryable: true } }));
  }

  async handle(verb: RpcVerb, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const method = RPC_PATHS[verb];
    const arrived = Date.now();
    let rpc: RpcRequest;
    try {
      rpc = decodeRequest(request.body, this.options.node.messages);
      if (verb === 'replyInMills' && rpc.duration === undefined) throw new GatewayError('LG_ERR_RPC_TIMEOUT_NOT_SET');
      if (!(verb === 'receive' ? this.options.receiver.receive : this.options.receiver.receiveAndReply)) throw new GatewayError('LG_ERR_RPC_NO_RECEIVER');
      if (this.queue.isFull()) throw new GatewayError('LG_ERR_RPC_QUEUE_FULL', {}, { data: { retryable: true } });
    } catch (error) {
      return sendError(reply, method, error, false);
    }
    const deadline = arrived + (rpc.duration ?? this.options.timeout ?? DEFAULTS.timeout);
    if (verb === 'receive') {
      Promise.resolve(this.run(rpc, deadline, 'receive').outcome).then(undefined, (error: unknown) => request.log.warn({ err: error, type: rpc.message.type }, 'an RPC receiver failed on a sent message'));
      return send(reply, 200, encodeReply(method, undefined));
    }
    const { outcome, started } = this.run(rpc, deadline, 'receiveAndReply');
    try {
      const answer = checkAnswer(this.options.node, isThenable(outcome) ? await outcome : outcome, rpc.message.type);
      return send(reply, 200, encodeReply(method, answer));
    } catch (error) {
      return sendError(reply, method, error, started(), rpc.message.type);
    }
  }

  /**
   * Starts the receiver call, at once when a slot is free, else when one frees up. A receiver
   * that answers synchronously is answered synchronously: no timer, no promise. Otherwise
   * `outcome` settles with its answer or with the reason it expired (the deadline, a close).
   * The AbortController behind `context.signal` is made only if the receiver reads it.
   */
  private run(rpc: RpcRequest, deadline: number, verb: 'receive' | 'receiveAndReply'): { outcome: unknown | Promise<unknown>; started: () => boolean } {
    const { node, receiver } = this.options;
    const { caller } = rpc;
    const back = node.sender(caller.instance ? { application: caller.application || caller.instance, instance: caller.instance } : caller.application);
    let controller: AbortController | undefined;
    const context: ReceiveContext = {
      caller,
      duration: rpc.duration,
      get signal() {
        return (controller ??= new AbortController()).signal;
      },
    };
    let started = false;
    const task = () => {
      started = true;
      return verb === 'receive' ? receiver.receive!(rpc.message, back, context) : receiver.receiveAndReply!(rpc.message, back, context);
    };
    const ticket: QueueTicket = {};
    let result: unknown | Promise<unknown>;
    try {
      result = this.queue.runNow(task, ticket);
    } catch (error) {
      return { outcome: Promise.reject(error), started: () => started };
    }
    if (!isThenable(result)) return { outcome: result, started: () => started };
    const pending = result;
    const registry = verb === 'receive' ? this.sends : this.asks;
    const timeout = deadline - Date.now();
    const outcome = new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const settle = () => {
        settled = true;
        clearTimeout(timer);
        registry.delete(inFlight);
      };
      const inFlight: InFlight = {
        expire: (reason) => {
          if (settled) return;
          settle();
          ticket.cancel?.(reason);
          controller?.abort(reason);
          reject(reason);
        },
      };
      const timer = setTimeout(() => inFlight.expire(new GatewayError('LG_ERR_RPC_TIMEOUT', { type: rpc.message.type, target: node.caller.instance || node.application, timeout }, { data: { retryable: true } })), timeout);
      registry.add(inFlight);
      pending.then(
        (value) => void (settled || (settle(), resolve(value))),
        (error: unknown) => void (settled || (settle(), reject(error))),
      );
    });
    return { outcome, started: () => started };
  }

  /** Ends asks at once, waits (up to drainMs) for accepted sends, then ends what still runs or waits. */
  async close(): Promise<void> {
    const closed = () => new GatewayError('LG_ERR_RPC_CLOSED', { application: this.options.node.application });
    for (const inFlight of [...this.asks]) inFlight.expire(closed());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.queue.idle(), new Promise((resolve) => (timer = setTimeout(resolve, this.options.drainMs ?? DEFAULTS.drainMs)))]);
    clearTimeout(timer);
    for (const inFlight of [...this.sends]) inFlight.expire(closed());
  }
}

/** The Fastify plugin: POST /api/rest_j/v1/rpc/{receive,receiveAndReply,replyInMills}. */
export async function rpcReceiver(app: FastifyInstance, options: RpcReceiverOptions): Promise<void> {
  const routes = new ReceiverRoutes(options);
  const bodyLimit = options.bodyLimit ?? DEFAULTS.bodyLimit;
  app.setErrorHandler((error, request, reply) => {
    const method = request.url.split('?')[0]!;
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    const reason = (error as Error).message;
    const coded = status < 500 ? new GatewayError('LG_ERR_RPC_BAD_REQUEST', { reason }) : new GatewayError('LG_ERR_RPC_RECEIVER_FAILED', { type: '?', reason }, { cause: error });
    return sendError(reply, method, coded, false);
  });
  // The envelope is read field by field and never merged into another object, so the plain
  // JSON.parse is safe here and spares the prototype-poisoning scan of Fastify's default parser.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      done(Object.assign(error as Error, { statusCode: 400 }), undefined);
    }
  });
  app.addHook('onClose', async () => routes.close());
  for (const verb of Object.keys(RPC_PATHS) as RpcVerb[]) {
    app.post(RPC_PATHS[verb], { bodyLimit }, (request, reply) => routes.handle(verb, request, reply));
  }
}
