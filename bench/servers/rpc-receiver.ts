/**
 * The receiving process of the RPC benchmark: an RPC receiver (Fastify + labelgate/rpc) that
 * answers `bench.Echo` with the value it got, and a plain node:http server that does the same
 * with the same JSON (parse, then serialise). Prints `READY {"rpc": "host:port", "plain": "http://…"}`.
 */
import Fastify from 'fastify';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RpcNode, StaticDiscovery, rpcReceiver } from '../../core/rpc/index.js';
import { benchMessages } from '../lib/rpc-messages.js';

const { messages, Echo } = benchMessages();
const node = new RpcNode({ application: 'bench-receiver', messages, discovery: new StaticDiscovery() });
const app = Fastify();
await app.register(rpcReceiver, { node, receiver: { receiveAndReply: (message) => (Echo.is(message) ? Echo(message.value) : undefined) } });
await app.listen({ host: '127.0.0.1', port: 0 });

const plain = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    const answer = JSON.stringify(JSON.parse(body));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
  });
});
plain.keepAliveTimeout = 30_000;
await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));

const rpcPort = (app.server.address() as AddressInfo).port;
const plainPort = (plain.address() as AddressInfo).port;
process.stdout.write(`READY ${JSON.stringify({ rpc: `127.0.0.1:${rpcPort}`, plain: `http://127.0.0.1:${plainPort}` })}\n`);
process.once('SIGTERM', () => {
  plain.closeAllConnections();
  plain.close();
  void app.close().then(() => process.exit(0));
});
