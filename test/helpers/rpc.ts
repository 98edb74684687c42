/**
 * RPC test fixtures: in-process receivers (Fastify + the receiver plugin on 127.0.0.1 port 0),
 * nodes that close at teardown, and example stock-service processes registered with a test
 * gateway's embedded Eureka.
 */
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { RpcNode, StaticDiscovery, rpcReceiver, type MessageRegistry, type Receiver, type RpcNodeOptions, type RpcReceiverOptions } from '../../core/rpc/index.js';
import { stockMessages, type StockMessages, type Tuning } from '../../examples/rpc/messages.js';
import type { TestGateway } from './gateway.js';
import { repoPath } from './paths.js';
import { startService, type ServiceProcess } from './service-process.js';

export const STOCK_APP = 'rpc-demo-stock';
const STOCK_SCRIPT = repoPath('dist/examples/rpc/stock-service.js');

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A node closed at teardown; with no `eureka` or `discovery` it knows no other service. */
export function testNode(t: Teardown, options: Partial<RpcNodeOptions> & { messages: MessageRegistry }): RpcNode {
  const node = new RpcNode({ application: 'rpc-test', ...(options.eureka ? {} : { discovery: new StaticDiscovery() }), ...options });
  t.teardown(() => node.close());
  return node;
}

export interface TestReceiver {
  readonly node: RpcNode;
  readonly instance: string;
  readonly url: string;
  close(): Promise<void>;
}

/** A receiver in this process, on its own node, registered nowhere. */
export async function startReceiver(t: Teardown, messages: MessageRegistry, receiver: Receiver, options: Partial<RpcReceiverOptions> & { node?: RpcNode } = {}): Promise<TestReceiver> {
  const node = options.node ?? testNode(t, { application: 'rpc-receiver', messages });
  const app = Fastify();
  await app.register(rpcReceiver, { ...options, node, receiver });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  await node.register({ host: '127.0.0.1', port });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
  };
  t.teardown(close);
  return { node, instance: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}`, close };
}

/** Flags that make a service talk to the test gateway and notice changes quickly. */
export function eurekaFlags(gw: TestGateway): string[] {
  return ['--eureka', `${gw.gateway.adminUrl}/eureka/`, '--heartbeat', '500', '--fetch', '300'];
}

export function startStock(t: Teardown, gw: TestGateway, extra: string[] = []): Promise<ServiceProcess> {
  return startService(t, STOCK_SCRIPT, [...eurekaFlags(gw), ...extra]);
}

/** This process as a node of the example's network, finding services through the gateway. */
export async function stockClient(t: Teardown, gw: TestGateway, tuning: Tuning = {}, options: Partial<RpcNodeOptions> = {}): Promise<{ node: RpcNode; types: StockMessages }> {
  const types = stockMessages(tuning);
  const node = testNode(t, { messages: types.messages, eureka: { url: `${gw.gateway.adminUrl}/eureka/`, fetchMs: 200 }, ...options });
  await node.start();
  return { node, types };
}

/** What one stock instance says it handled. */
export async function stockStats(node: RpcNode, types: StockMessages, instance: string) {
  return node.sender(instance).ask(types.Stats({}), { timeout: 5000, expect: types.StatsReply });
}
