/**
 * The typed message registry: every RPC message has a registered type name, a JSON schema and
 * the per-type options the sender's interceptors read (broadcast, cacheable, retryable, safe to
 * repeat). Both sides define the same names; a receiver refuses a name it does not know, or a
 * value its schema refuses, before any receiver code runs.
 *
 *   const messages = new MessageRegistry();
 *   const Quote = messages.define<{ sku: string }>('stock.Quote', { schema, cacheable: { expireMs: 60_000 } });
 *   sender.ask(Quote({ sku: 'A-1' }));          // a Message: { type: 'stock.Quote', value: { sku: 'A-1' } }
 *   if (Quote.is(message)) message.value.sku;   // narrowing on the receiving side
 */
import type { ValidateFunction } from 'ajv';
import type { JsonSchema } from '../config-schema.js';
import { GatewayError } from '../errors.js';
import { compileSchema, validateWith } from '../schema-validator.js';

/** One RPC message: the registered type name and its JSON value. */
export interface Message<T = unknown> {
  readonly type: string;
  readonly value: T;
}

/** Exponential backoff: the wait before attempt n+1 is min(baseMs × factor^(n-1), maxMs). */
export interface RetryPolicy {
  readonly attempts: number;
  readonly baseMs: number;
  readonly factor: number;
  readonly maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ attempts: 3, baseMs: 100, factor: 1.5, maxMs: 2000 });

export interface BroadcastPolicy {
  /** `host:port` of the instances to tell; absent: every live instance of the application. */
  readonly instances?: readonly string[];
  /** Reject when any instance did not take it (Linkis `throwsIfAnyFailed`); default: resolve and log. */
  readonly throwsIfAnyFailed: boolean;
}

export interface CachePolicy {
  /** An entry expires this long after it was last read (Linkis: 120 000 ms, expire-after-access). */
  readonly expireMs: number;
  readonly maxEntries: number;
}

export const DEFAULT_CACHE: CachePolicy = Object.freeze({ expireMs: 120_000, maxEntries: 1000 });

/** What `define` takes: `true` picks the defaults of an option. */
export interface TypeOptions {
  readonly schema: JsonSchema;
  readonly broadcast?: boolean | Partial<BroadcastPolicy>;
  readonly cacheable?: boolean | Partial<CachePolicy>;
  readonly retryable?: boolean | Partial<RetryPolicy>;
  /**
   * Processing the message twice does no harm (it is idempotent). Only such messages are retried
   * when the receiver may already have taken them (a timeout, a lost connection, a retryable
   * error the receiver raised while handling it); others are retried only when it surely did not.
   */
  readonly safeToRepeat?: boolean;
}

export interface TypePolicies {
  readonly broadcast: BroadcastPolicy | undefined;
  readonly cache: CachePolicy | undefined;
  readonly retry: RetryPolicy | undefined;
  readonly safeToRepeat: boolean;
}

/** A registered type; calling it makes a message of that type. */
export interface MessageType<T = unknown> {
  (value: T): Message<T>;
  readonly type: string;
  readonly policies: TypePolicies;
  is(message: Message | undefined | null): message is Message<T>;
}

const TYPE_NAME = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

function positive(value: number | undefined, fallback: number, type: string, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new GatewayError('LG_ERR_RPC_BAD_DEFINITION', { type, reason: `${field} must be a positive number` });
  return value;
}

function retryPolicy(type: string, option: TypeOptions['retryable']): RetryPolicy | undefined {
  if (!option) return undefined;
  const given = option === true ? {} : option;
  const policy = {
    attempts: Math.floor(positive(given.attempts, DEFAULT_RETRY.attempts, type, 'retryable.attempts')),
    baseMs: positive(given.baseMs, DEFAULT_RETRY.baseMs, type, 'retryable.baseMs'),
    factor: positive(given.factor, DEFAULT_RETRY.factor, type, 'retryable.factor'),
    maxMs: positive(given.maxMs, DEFAULT_RETRY.maxMs, type, 'retryable.maxMs'),
  };
  return Object.freeze(policy);
}

function cachePolicy(type: string, option: TypeOptions['cacheable']): CachePolicy | undefined {
  if (!option) return undefined;
  const given = option === true ? {} : option;
  return Object.freeze({
    expireMs: positive(given.expireMs, DEFAULT_CACHE.expireMs, type, 'cacheable.expireMs'),
    maxEntries: Math.floor(positive(given.maxEntries, DEFAULT_CACHE.maxEntries, type, 'cacheable.maxEntries')),
  });
}

function broadcastPolicy(option: TypeOptions['broadcast']): BroadcastPolicy | undefined {
  if (!option) return undefined;
  const given = option === true ? {} : option;
  return Object.freeze({
    ...(given.instances ? { instances: Object.freeze([...given.instances]) } : {}),
    throwsIfAnyFailed: given.throwsIfAnyFailed === true,
  });
}

interface Entry {
  readonly messageType: MessageType;
  readonly validate: ValidateFunction;
}

export class MessageRegistry {
  private readonly entries = new Map<string, Entry>();

  define<T>(type: string, options: TypeOptions): MessageType<T> {
    if (!TYPE_NAME.test(type)) throw new GatewayError('LG_ERR_RPC_BAD_DEFINITION', { type, reason: 'a type name is dot-separated identifiers, e.g. stock.Quote' });
    if (this.entries.has(type)) throw new GatewayError('LG_ERR_RPC_BAD_DEFINITION', { type, reason: 'it is defined already' });
    if (options.broadcast && options.cacheable) throw new GatewayError('LG_ERR_RPC_BAD_DEFINITION', { type, reason: 'a broadcast has no single answer to cache' });
    let validate: ValidateFunction;
    try {
      validate = compileSchema(options.schema);
    } catch (error) {
      throw new GatewayError('LG_ERR_RPC_BAD_DEFINITION', { type, reason: (error as Error).message }, { cause: error });
    }
    const policies: TypePolicies = Object.freeze({
      broadcast: broadcastPolicy(options.broadcast),
      cache: cachePolicy(type, options.cacheable),
      retry: retryPolicy(type, options.retryable),
      safeToRepeat: options.safeToRepeat === true,
    });
    const make = (value: T): Message<T> => ({ type, value });
    const messageType = Object.assign(make, {
      type,
      policies,
      is: (message: Message | undefined | null): message is Message<T> => message?.type === type,
    }) as MessageType<T>;
    this.entries.set(type, { messageType: messageType as MessageType, validate });
    return messageType;
  }

  /** The registered type, or LG_ERR_RPC_UNKNOWN_TYPE. */
  typeOf(type: string): MessageType {
    const entry = this.entries.get(type);
    if (!entry) throw new GatewayError('LG_ERR_RPC_UNKNOWN_TYPE', { type });
    return entry.messageType;
  }

  has(type: string): boolean {
    return this.entries.has(type);
  }

  /** Checks a value against its type's schema (filling schema defaults); throws a coded error. */
  check(message: Message): void {
    const entry = this.entries.get(message.type);
    if (!entry) throw new GatewayError('LG_ERR_RPC_UNKNOWN_TYPE', { type: message.type });
    const problems = validateWith(entry.validate, message.value);
    if (problems.length > 0) {
      throw new GatewayError('LG_ERR_RPC_INVALID_MESSAGE', { type: message.type, reason: problems.map((problem) => problem.message).join('; ') });
    }
  }
}
