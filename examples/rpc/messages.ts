/**
 * The messages the two example services exchange, defined once and imported by both (a receiver
 * refuses a type it does not know, or a value its schema refuses). The per-type options only
 * matter to senders, so a caller may tune them (`stockMessages({ quoteCacheMs: 500 })`) and
 * still speak to services that use the defaults.
 */
import { MessageRegistry, type TypeOptions } from '../../core/rpc/index.js';

const object = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)) => ({
  type: 'object', additionalProperties: false, properties, required,
});
const sku = { type: 'string', pattern: '^[A-Z]+-\\d+$' };
const instance = { type: 'string' };

export interface Quote { sku: string }
export interface QuoteReply { sku: string; price: number; instance: string }
export interface Reserve { orderId: string; sku: string; qty: number }
export interface Reserved { orderId: string; ok: boolean; instance: string }
export interface PriceChange { sku: string; price: number }
export interface Stats { reset?: boolean }
export interface StatsReply { instance: string; received: Record<string, number>; prices: Record<string, number> }
export interface Recount { ms: number }

export interface Tuning {
  /** Expiry of cached quotes (expire after access); default 60 s. */
  readonly quoteCacheMs?: number;
  /** Retry policy of reservations; default: 10 attempts, 100 ms base. */
  readonly reserveRetry?: TypeOptions['retryable'];
  /** Price changes reject unless every instance took them (Linkis `throwsIfAnyFailed`); default false. */
  readonly strictBroadcast?: boolean;
  /** Retry policy of recounts (slow asks); default: none. */
  readonly recountRetry?: TypeOptions['retryable'];
}

export function stockMessages(tuning: Tuning = {}) {
  const messages = new MessageRegistry();
  return {
    messages,
    /** Ask a stock instance for a price; answers change rarely, so callers cache them. */
    Quote: messages.define<Quote>('stock.Quote', { schema: object({ sku }), cacheable: { expireMs: tuning.quoteCacheMs ?? 60_000 } }),
    QuoteReply: messages.define<QuoteReply>('stock.QuoteReply', { schema: object({ sku, price: { type: 'number' }, instance }) }),
    /** Reserve stock for an order; the answer comes later as Reserved. Repeats are harmless (keyed by orderId). */
    Reserve: messages.define<Reserve>('stock.Reserve', {
      schema: object({ orderId: { type: 'string', minLength: 1 }, sku, qty: { type: 'integer', minimum: 1 } }),
      retryable: tuning.reserveRetry ?? { attempts: 10, baseMs: 100 },
      safeToRepeat: true,
    }),
    Reserved: messages.define<Reserved>('orders.Reserved', { schema: object({ orderId: { type: 'string' }, ok: { type: 'boolean' }, instance }) }),
    /** A new price, told to every stock instance. */
    PriceChange: messages.define<PriceChange>('stock.PriceChange', { schema: object({ sku, price: { type: 'number', minimum: 0 } }), broadcast: { throwsIfAnyFailed: tuning.strictBroadcast === true } }),
    Stats: messages.define<Stats>('stock.Stats', { schema: object({ reset: { type: 'boolean' } }, []) }),
    StatsReply: messages.define<StatsReply>('stock.StatsReply', {
      schema: object({ instance, received: { type: 'object', additionalProperties: { type: 'integer' } }, prices: { type: 'object', additionalProperties: { type: 'number' } } }),
    }),
    /** A slow full recount (takes `ms`): what fills a receiver's queue. */
    Recount: messages.define<Recount>('stock.Recount', { schema: object({ ms: { type: 'integer', minimum: 0, maximum: 60_000 } }), retryable: tuning.recountRetry ?? false }),
  };
}

export type StockMessages = ReturnType<typeof stockMessages>;
