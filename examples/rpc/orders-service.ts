#!/usr/bin/env node
/**
 * Example service "rpc-demo-orders": `POST /orders {"sku": "A-1", "qty": 2}` asks a stock
 * instance for a quote (cached), sends the reservation (retried, safe to repeat) and waits for
 * the stock service to answer it asynchronously with `orders.Reserved`, which lands on this
 * service's own receiver.
 *
 *   node dist/examples/rpc/orders-service.js --eureka http://127.0.0.1:9002/eureka/ [--stock rpc-demo-stock]
 */
import { randomUUID } from 'node:crypto';
import { stockMessages, type Reserved as ReservedValue } from './messages.js';
import { bootService } from './service-kit.js';

const types = stockMessages();
const { Quote, QuoteReply, Reserve, Reserved } = types;
const STOCK = process.env.RPC_DEMO_STOCK_APP ?? 'rpc-demo-stock';
const waiting = new Map<string, (reserved: ReservedValue) => void>();

await bootService({
  defaultApp: 'rpc-demo-orders',
  messages: types.messages,
  receiver: () => ({
    receive(message) {
      if (Reserved.is(message)) waiting.get(message.value.orderId)?.(message.value);
    },
  }),
  routes(app, node) {
    app.post<{ Body: { sku: string; qty: number } }>('/orders', async (request, reply) => {
      const { sku, qty } = request.body;
      const stock = node.sender(STOCK);
      const quote = await stock.ask(Quote({ sku }), { timeout: 3000, expect: QuoteReply });
      const orderId = randomUUID();
      let timer: NodeJS.Timeout | undefined;
      const answered = new Promise<ReservedValue>((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no reservation answer for ${orderId}`)), 5000);
        waiting.set(orderId, resolve);
      });
      answered.catch(() => undefined); // awaited below only when the send went out
      try {
        await stock.send(Reserve({ orderId, sku, qty }));
        const reserved = await answered;
        return { orderId, price: quote.price * qty, quotedBy: quote.instance, reserved: reserved.ok, reservedBy: reserved.instance };
      } catch (error) {
        return reply.code(502).send({ orderId, error: (error as Error).message });
      } finally {
        clearTimeout(timer);
        waiting.delete(orderId);
      }
    });
  },
});
