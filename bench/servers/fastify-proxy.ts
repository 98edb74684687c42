/** Benchmark peer: Fastify with @fastify/http-proxy, forwarding /api/* to the same upstream. */
import Fastify from 'fastify';
import proxy from '@fastify/http-proxy';
import type { AddressInfo } from 'node:net';

const upstream = process.argv[2]!;
const app = Fastify({ logger: false });
await app.register(proxy, { upstream, prefix: '/api', rewritePrefix: '/api', http2: false });
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`READY http://127.0.0.1:${(app.server.address() as AddressInfo).port}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
