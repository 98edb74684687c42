/**
 * A minimal upstream for benchmarks: answers every request with a small JSON naming itself
 * (`{"upstream": NAME}`), after reading the body. In-process (`startEchoServer`) or as a child
 * (`node echo-server.js NAME HOST`, prints `READY http://host:port`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface EchoServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startEchoServer(name: string, host = '127.0.0.1'): Promise<EchoServer> {
  const body = JSON.stringify({ upstream: name });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const host = process.argv[3] ?? '127.0.0.1';
  const server = await startEchoServer(process.argv[2] ?? 'echo', host);
  process.stdout.write(`READY http://${host}:${server.port}\n`);
  process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
}
