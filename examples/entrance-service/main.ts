#!/usr/bin/env node
/**
 * An example Linkis-style entrance service: answers job submissions and job requests over HTTP
 * and over the WebSocket protocol of the gateway's multiplexer (ws-api.ts), and registers itself with labelgate's embedded Eureka using an unmodified eureka-js-client.
 *
 *   node dist/examples/entrance-service/main.js --eureka http://127.0.0.1:9002/eureka/ [--route et1]
 *        [--port 0] [--host 127.0.0.1] [--app linkis-cg-entrance] [--heartbeat 5s] [--lease 15] [--job-ms 1500]
 *        [--exit-with-stdin]
 *
 * Prints `READY http://host:port` once it listens and is registered. SIGTERM or SIGINT
 * deregisters it (so the gateway stops routing to it at once) and stops it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { parseDuration } from '../../core/units.js';
import { onShutdown } from '../shutdown.js';
import { createHandler } from './http-api.js';
import { JobTable } from './jobs.js';
import { Registration } from './registration.js';
import { attachWebSocket } from './ws-api.js';

const { values } = parseArgs({
  options: {
    eureka: { type: 'string', default: 'http://127.0.0.1:9002/eureka/' },
    route: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    app: { type: 'string', default: 'linkis-cg-entrance' },
    heartbeat: { type: 'string', default: '5s' },
    lease: { type: 'string', default: '15' },
    'job-ms': { type: 'string', default: '1500' },
    /** Stop when stdin closes: a parent (the demo, a test) that dies takes this process with it. */
    'exit-with-stdin': { type: 'boolean', default: false },
  },
});

if (values.route !== undefined && !/^[A-Za-z0-9_.]+$/.test(values.route)) {
  console.error(`--route "${values.route}": use only A-Z a-z 0-9 _ .`);
  process.exit(2);
}

const server = http.createServer();
await new Promise<void>((resolve) => server.listen(Number(values.port), values.host, resolve));
const { port } = server.address() as AddressInfo;
const instance = `${values.host}:${port}`;

const registration = new Registration({
  eurekaUrl: values.eureka,
  app: values.app,
  host: values.host,
  port,
  route: values.route,
  heartbeatMs: parseDuration(values.heartbeat) ?? 5000,
  leaseSeconds: Number(values.lease),
});
const jobs = new JobTable(values.app, instance, Number(values['job-ms']));
const state = {
  instance,
  jobs,
  initialRoute: values.route,
  route: () => registration.route,
  setRoute: (route: string | undefined) => registration.setRoute(route),
};
server.on('request', createHandler(state));
attachWebSocket(server, state);

try {
  await registration.start();
} catch (error) {
  console.error(`cannot register with ${values.eureka}: ${(error as Error).message}`);
  server.close();
  process.exit(1);
}
process.stdout.write(`READY http://${instance} app=${values.app} route=${values.route ?? '(none)'}\n`);

onShutdown(async () => {
  // Deregister so the gateway stops routing here at once; do not wait forever for a gone gateway.
  await Promise.race([registration.stop(), new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
  server.closeAllConnections();
  server.close(() => process.exit(0));
}, values['exit-with-stdin']);
