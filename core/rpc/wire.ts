/**
 * The RPC wire (design §3.6, spec/linkis.md §8.2): requests and replies are both the Linkis
 * envelope, and a message travels in `data` as its registered type name (`rpc_object_class`)
 * and its value as JSON text (`rpc_object_value`; Linkis puts Protostuff hex there).
 *
 *   POST /api/rest_j/v1/rpc/receive          send: the receiver queues it and acknowledges
 *   POST /api/rest_j/v1/rpc/receiveAndReply  ask
 *   POST /api/rest_j/v1/rpc/replyInMills     ask with a timeout: `data.duration` (ms) is required
 *
 * A reply with status 0 and an empty `data` is "no answer" (Linkis's Unit). An error reply has
 * status ≠ 0, `data.errorMsg: {errCode, desc}`, the stable `data.code`, and two facts a sender's
 * retry needs: `data.retryable` and `data.received` (false: no receiver code ran).
 */
import { ERRORS, GatewayError, type ErrorCode } from '../errors.js';
import type { Message, MessageRegistry } from './message-types.js';

export const RPC_PREFIX = '/api/rest_j/v1/rpc/';
export const RPC_PATHS = { receive: `${RPC_PREFIX}receive`, receiveAndReply: `${RPC_PREFIX}receiveAndReply`, replyInMills: `${RPC_PREFIX}replyInMills` } as const;
export type RpcVerb = keyof typeof RPC_PATHS;

const REQUEST_METHOD = '/rpc/message';
const REQUEST_MESSAGE = 'RPC Message.';

/** Who is calling: `data.name` and `data.instance` (`host:port`, empty for a caller that does not listen). */
export interface Caller {
  readonly application: string;
  readonly instance: string;
}

export interface RpcRequest {
  readonly message: Message;
  readonly caller: Caller;
  readonly duration: number | undefined;
}

interface WireData {
  rpc_object_class?: unknown;
  rpc_object_value?: unknown;
  name?: unknown;
  instance?: unknown;
  duration?: unknown;
  errorMsg?: { errCode?: unknown; desc?: unknown };
  code?: unknown;
  retryable?: unknown;
  received?: unknown;
  [key: string]: unknown;
}

interface WireEnvelope {
  method?: unknown;
  status?: unknown;
  message?: unknown;
  data?: WireData;
}

// The encoders write the envelope as text around the value's JSON: the same bytes as building
// the object and serialising it, without the intermediate objects (this is the hot path).
const REQUEST_HEAD = `{"method":${JSON.stringify(REQUEST_METHOD)},"status":0,"message":${JSON.stringify(REQUEST_MESSAGE)},"data":{"rpc_object_class":`;

export function encodeRequest(message: Message, caller: Caller, duration: number | undefined): string {
  const value = JSON.stringify(JSON.stringify(message.value));
  const tail = duration === undefined ? '}}' : `,"duration":${duration}}}`;
  return `${REQUEST_HEAD}${JSON.stringify(message.type)},"rpc_object_value":${value},"rpc_is_request_protocol":"true","name":${JSON.stringify(caller.application)},"instance":${JSON.stringify(caller.instance)}${tail}`;
}

function decodeValue(data: WireData, registry: MessageRegistry): Message {
  const type = data.rpc_object_class;
  if (typeof type !== 'string') throw new GatewayError('LG_ERR_RPC_BAD_REQUEST', { reason: 'data.rpc_object_class must be a type name' });
  registry.typeOf(type); // unknown names are refused before the value is even parsed
  if (typeof data.rpc_object_value !== 'string') throw new GatewayError('LG_ERR_RPC_INVALID_MESSAGE', { type, reason: 'data.rpc_object_value must be JSON text' });
  let value: unknown;
  try {
    value = JSON.parse(data.rpc_object_value);
  } catch (error) {
    throw new GatewayError('LG_ERR_RPC_INVALID_MESSAGE', { type, reason: `rpc_object_value is not JSON (${(error as Error).message})` });
  }
  const message = { type, value };
  registry.check(message);
  return message;
}

/** A request body → the checked message, its caller and duration; coded errors otherwise. */
export function decodeRequest(body: unknown, registry: MessageRegistry): RpcRequest {
  const data = (body as WireEnvelope | null)?.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new GatewayError('LG_ERR_RPC_BAD_REQUEST', { reason: 'the body must be an envelope with a data object' });
  const message = decodeValue(data, registry);
  const duration = data.duration;
  if (duration !== undefined && duration !== null && (typeof duration !== 'number' || !Number.isFinite(duration) || duration <= 0)) {
    throw new GatewayError('LG_ERR_RPC_BAD_REQUEST', { reason: 'data.duration must be a positive number of milliseconds' });
  }
  return {
    message,
    caller: { application: typeof data.name === 'string' ? data.name : '', instance: typeof data.instance === 'string' ? data.instance : '' },
    duration: typeof duration === 'number' ? duration : undefined,
  };
}

export function encodeReply(method: string, reply: Message | undefined): string {
  const head = `{"method":${JSON.stringify(method)},"status":0,"message":"","data":{`;
  if (reply === undefined) return `${head}}}`;
  return `${head}"rpc_object_class":${JSON.stringify(reply.type)},"rpc_object_value":${JSON.stringify(JSON.stringify(reply.value))}}}`;
}

/** What an error reply says beyond the envelope (design: `errorMsg` plus the retry facts). */
export interface ErrorFacts {
  readonly retryable: boolean;
  readonly received: boolean;
  /** Numeric code for `errorMsg.errCode`: the Linkis code, or a receiver's own. */
  readonly errCode: number | undefined;
}

export function encodeError(method: string, error: GatewayError, facts: ErrorFacts): string {
  const errorMsg: Record<string, unknown> = { desc: error.message };
  if (facts.errCode !== undefined) errorMsg.errCode = facts.errCode;
  const data = { ...error.data, errorMsg, code: error.code, retryable: facts.retryable, received: facts.received };
  return JSON.stringify({ method, status: error.envelopeStatus, message: error.message, data });
}

/** An error a receiver answered with; `errCode` is the numeric code of its `errorMsg`. */
export class RemoteError extends GatewayError {
  readonly errCode: number | undefined;
  /** `host:port` that answered. */
  readonly remote: string;

  constructor(code: ErrorCode, text: string, errCode: number | undefined, remote: string, facts: { retryable: boolean; received: boolean }) {
    super(code, { errCode: errCode ?? '', desc: text, target: remote, reason: text }, { data: { errCode, remote, ...facts } });
    this.name = 'RemoteError';
    this.errCode = errCode;
    this.remote = remote;
    // Known codes keep the receiver's wording (it rendered the parameters we do not have).
    if (code !== 'LG_ERR_RPC_REMOTE' && code !== 'LG_ERR_RPC_REMOTE_FAILED') this.message = text;
  }
}

function isRpcCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && code.startsWith('LG_ERR_RPC_') && Object.hasOwn(ERRORS, code);
}

function remoteFailure(remote: string, reason: string): RemoteError {
  return new RemoteError('LG_ERR_RPC_REMOTE_FAILED', reason, 10005, remote, { retryable: false, received: true });
}

/**
 * A reply body → the answer (undefined for none) or a thrown RemoteError. Linkis's rules: status
 * 0 is an answer; another status with `errorMsg` throws that error (our own codes are rebuilt so
 * callers can branch on `code`); without `errorMsg` it is 10005 with the envelope's message.
 */
export function decodeReply(httpStatus: number, text: string, registry: MessageRegistry, remote: string): Message | undefined {
  let envelope: WireEnvelope;
  try {
    envelope = JSON.parse(text) as WireEnvelope;
  } catch {
    throw remoteFailure(remote, `HTTP ${httpStatus} with a body that is not an RPC envelope`);
  }
  if (typeof envelope !== 'object' || envelope === null || typeof envelope.status !== 'number') {
    throw remoteFailure(remote, `HTTP ${httpStatus} with a body that is not an RPC envelope`);
  }
  const data: WireData = typeof envelope.data === 'object' && envelope.data !== null ? envelope.data : {};
  if (envelope.status === 0) {
    if (data.rpc_object_class === undefined || data.rpc_object_class === null) return undefined;
    return decodeValue(data, registry);
  }
  const text0 = typeof envelope.message === 'string' ? envelope.message : '';
  const errorMsg = data.errorMsg;
  if (typeof errorMsg !== 'object' || errorMsg === null) throw remoteFailure(remote, `status ${envelope.status}: ${text0}`);
  const errCode = typeof errorMsg.errCode === 'number' ? errorMsg.errCode : undefined;
  const desc = typeof errorMsg.desc === 'string' ? errorMsg.desc : text0;
  // 15555 (queue full) means no receiver took it, also from a receiver that does not say so.
  const received = typeof data.received === 'boolean' ? data.received : errCode !== 15555;
  const facts = { retryable: data.retryable === true || errCode === 15555, received };
  throw new RemoteError(isRpcCode(data.code) ? data.code : 'LG_ERR_RPC_REMOTE', isRpcCode(data.code) ? text0 || desc : desc, errCode, remote, facts);
}
