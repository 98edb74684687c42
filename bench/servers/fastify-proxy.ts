/**
 * Benchmark peer: Fastify with @fastify/http-proxy, forwarding /api/* to the same upstream; with
 * a second argument `ws`, a 1:1 WebSocket relay of /ws/* instead (`websocket: true`: one
 * upstream socket per client socket, frames passed through unread).
 */
import Fastify from 'fastify';
import proxy from '@fastify/http-proxy';
import type { AddressInfo } from 'node:net';

const upstream = process.argv[2]!;
const prefix = process.argv[3] === 'ws' ? '/ws' : '/api';
const app = Fastify({ logger: false });
await app.register(proxy, { upstream, prefix, rewritePrefix: prefix, http2: false, websocket: prefix === '/ws' });
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`READY http://127.0.0.1:${(app.server.address() as AddressInfo).port}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
