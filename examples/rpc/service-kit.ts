/**
 * What both example services do to start and stop: parse the common flags, serve the RPC
 * receiver (and any routes of their own) with Fastify, register with the gateway's embedded
 * Eureka, print `READY http://host:port`, and on SIGTERM, SIGINT or stdin closing deregister,
 * drain and exit.
 *
 *   --eureka URL (http://127.0.0.1:9002/eureka/)  --host 127.0.0.1  --port 0  --app NAME
 *   --queue N  --concurrency N  --heartbeat MS  --lease S  --fetch MS  --exit-with-stdin
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { onShutdown } from '../shutdown.js';
import { RpcNode, rpcReceiver, type MessageRegistry, type Receiver } from '../../core/rpc/index.js';

export interface ServiceDefinition {
  readonly defaultApp: string;
  readonly messages: MessageRegistry;
  receiver(node: RpcNode, instance: () => string): Receiver;
  /** Extra HTTP routes of the service. */
  routes?(app: FastifyInstance, node: RpcNode): void;
}

export interface RunningService {
  readonly app: FastifyInstance;
  readonly node: RpcNode;
  readonly instance: string;
}

export async function bootService(definition: ServiceDefinition, argv = process.argv.slice(2)): Promise<RunningService> {
  const { values } = parseArgs({
    args: argv,
    options: {
      eureka: { type: 'string', default: 'http://127.0.0.1:9002/eureka/' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      app: { type: 'string', default: definition.defaultApp },
      queue: { type: 'string', default: '5000' },
      concurrency: { type: 'string', default: '100' },
      heartbeat: { type: 'string', default: '5000' },
      lease: { type: 'string', default: '15' },
      fetch: { type: 'string', default: '1000' },
      'exit-with-stdin': { type: 'boolean', default: false },
    },
  });
  const node = new RpcNode({
    application: values.app,
    messages: definition.messages,
    eureka: { url: values.eureka, heartbeatMs: Number(values.heartbeat), leaseSeconds: Number(values.lease), fetchMs: Number(values.fetch) },
  });
  let instance = '';
  const app = Fastify();
  await app.register(rpcReceiver, {
    node,
    receiver: definition.receiver(node, () => instance),
    queueSize: Number(values.queue),
    concurrency: Number(values.concurrency),
  });
  definition.routes?.(app, node);
  await app.listen({ host: values.host, port: Number(values.port) });
  instance = `${values.host}:${(app.server.address() as AddressInfo).port}`;
  await node.start();
  await node.register({ host: values.host, port: (app.server.address() as AddressInfo).port });
  process.stdout.write(`READY http://${instance} app=${values.app}\n`);

  onShutdown(async () => {
    const report = await node.close();
    if (report.undelivered.length > 0) console.error(`${report.undelivered.length} delivered messages could not be sent`);
    await app.close();
    process.exit(0);
  }, values['exit-with-stdin']);
  return { app, node, instance };
}
