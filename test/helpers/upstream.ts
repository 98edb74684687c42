/**
 * Real upstream servers on 127.0.0.1, port 0. The default handler echoes what it received as
 * JSON (method, url, headers, body size and sha1, and which upstream answered), and every
 * request is recorded so tests can assert what reached the backend, and what did not.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly bodyBytes: number;
  readonly bodySha1: string;
}

export interface Upstream {
  readonly name: string;
  readonly port: number;
  readonly hostPort: string;
  readonly url: string;
  readonly received: Received[];
  readonly server: http.Server;
  close(): Promise<void>;
}

export type UpstreamHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void;

export function echo(name: string): UpstreamHandler {
  return (req, res, body) => {
    const payload = JSON.stringify({
      upstream: name, method: req.method, url: req.url, headers: req.headers,
      bodyBytes: body.length, bodySha1: createHash('sha1').update(body).digest('hex'),
    });
    res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': name });
    res.end(payload);
  };
}

/**
 * Starts an upstream. With `streaming: true` the handler is called before the body is read
 * (it gets an empty buffer) so tests can stream large bodies through without buffering them.
 */
export async function startUpstream(name = 'upstream', handler?: UpstreamHandler, options: { streaming?: boolean } = {}): Promise<Upstream> {
  const received: Received[] = [];
  const respond = handler ?? echo(name);
  const server = http.createServer((req, res) => {
    if (options.streaming) {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes: -1, bodySha1: '' });
      respond(req, res, Buffer.alloc(0));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes: body.length, bodySha1: createHash('sha1').update(body).digest('hex') });
      respond(req, res, body);
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name, port, hostPort: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}`, received, server,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A port that refuses connections: bound, then closed. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
