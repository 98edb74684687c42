#!/usr/bin/env node
/**
 * Example service "rpc-demo-stock": quotes prices, reserves stock and answers the reservation
 * later with a message of its own to the caller (the `sender` it was handed), takes broadcast
 * price changes, and counts every message it handled (`stock.Stats`), so tests can see what
 * reached it and how often.
 *
 *   node dist/examples/rpc/stock-service.js --eureka http://127.0.0.1:9002/eureka/ [--port 0] [--queue 5000] [--concurrency 100]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { stockMessages } from './messages.js';
import { bootService } from './service-kit.js';

const types = stockMessages();
const { Quote, QuoteReply, Reserve, Reserved, PriceChange, Stats, StatsReply, Recount } = types;

const received: Record<string, number> = {};
const prices: Record<string, number> = { 'A-1': 10, 'B-2': 25 };
const reservations = new Map<string, boolean>();

await bootService({
  defaultApp: 'rpc-demo-stock',
  messages: types.messages,
  receiver: (_node, instance) => ({
    async receive(message, sender) {
      if (!Stats.is(message)) received[message.type] = (received[message.type] ?? 0) + 1;
      if (PriceChange.is(message)) prices[message.value.sku] = message.value.price;
      if (Reserve.is(message)) {
        const { orderId, sku } = message.value;
        // Idempotent by order id: a repeated Reserve (a retry) reserves nothing more.
        if (!reservations.has(orderId)) reservations.set(orderId, sku in prices);
        await sender.send(Reserved({ orderId, ok: reservations.get(orderId)!, instance: instance() }));
      }
    },
    async receiveAndReply(message, _sender, context) {
      if (!Stats.is(message)) received[message.type] = (received[message.type] ?? 0) + 1;
      if (Quote.is(message)) return QuoteReply({ sku: message.value.sku, price: prices[message.value.sku] ?? -1, instance: instance() });
      if (Recount.is(message)) {
        await sleep(message.value.ms, undefined, { signal: context.signal }).catch(() => undefined);
        return undefined;
      }
      if (Stats.is(message)) {
        const reply = StatsReply({ instance: instance(), received: { ...received }, prices: { ...prices } });
        if (message.value.reset) for (const key of Object.keys(received)) delete received[key];
        return reply;
      }
      return undefined;
    },
  }),
});
