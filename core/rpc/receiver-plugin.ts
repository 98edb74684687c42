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
import { WorkQueue } from './work-queue.js';
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

class ReceiverRoutes {
  private readonly queue: WorkQueue;
  /** Aborted when the server closes: asks at once (their callers get LG_ERR_RPC_CLOSED) … */
  private readonly closingAsks = new AbortController();
  /** … accepted sends after the drain. */
  private readonly closing = new AbortController();

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
      this.run(rpc, deadline, 'receive').outcome.catch((error: unknown) => request.log.warn({ err: error, type: rpc.message.type }, 'an RPC receiver failed on a sent message'));
      return send(reply, 200, encodeReply(method, undefined));
    }
    const { outcome, started } = this.run(rpc, deadline, 'receiveAndReply');
    try {
      const answer = checkAnswer(this.options.node, await outcome, rpc.message.type);
      return send(reply, 200, encodeReply(method, answer));
    } catch (error) {
      return sendError(reply, method, error, started(), rpc.message.type);
    }
  }

  /** Queues the receiver call; `outcome` settles with its answer or at the deadline. */
  private run(rpc: RpcRequest, deadline: number, verb: 'receive' | 'receiveAndReply'): { outcome: Promise<unknown>; started: () => boolean } {
    const { node, receiver } = this.options;
    const controller = new AbortController();
    const onClose = () => controller.abort(new GatewayError('LG_ERR_RPC_CLOSED', { application: node.application }));
    const closing = verb === 'receive' ? this.closing.signal : this.closingAsks.signal;
    closing.addEventListener('abort', onClose, { once: true });
    let started = false;
    const timeout = deadline - Date.now();
    const timer = setTimeout(() => {
      controller.abort(new GatewayError('LG_ERR_RPC_TIMEOUT', { type: rpc.message.type, target: node.caller.instance || node.application, timeout }, { data: { retryable: true } }));
    }, timeout);
    const { caller } = rpc;
    const back = node.sender(caller.instance ? { application: caller.application || caller.instance, instance: caller.instance } : caller.application);
    const context: ReceiveContext = { caller, duration: rpc.duration, signal: controller.signal };
    const task = async () => {
      started = true;
      return verb === 'receive' ? receiver.receive!(rpc.message, back, context) : receiver.receiveAndReply!(rpc.message, back, context);
    };
    const outcome = new Promise<unknown>((resolve, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      this.queue.run(task, controller.signal).then(resolve, reject);
    }).finally(() => {
      clearTimeout(timer);
      closing.removeEventListener('abort', onClose);
    });
    return { outcome, started: () => started };
  }

  /** Ends asks at once, waits (up to drainMs) for accepted sends, then aborts what still runs or waits. */
  async close(): Promise<void> {
    this.closingAsks.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.queue.idle(), new Promise((resolve) => (timer = setTimeout(resolve, this.options.drainMs ?? DEFAULTS.drainMs)))]);
    clearTimeout(timer);
    this.closing.abort();
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
  app.addHook('onClose', async () => routes.close());
  for (const verb of Object.keys(RPC_PATHS) as RpcVerb[]) {
    app.post(RPC_PATHS[verb], { bodyLimit }, (request, reply) => routes.handle(verb, request, reply));
  }
}
