/**
 * Real WebSocket upstreams for tests: each answers every text frame with
 * `{"from": name, "path": handshake path, "got": <frame text>}` and records connections and
 * frames, so tests can assert what reached which instance and how many sockets were opened.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface WsUpstream {
  readonly name: string;
  readonly hostPort: string;
  readonly connections: { path: string; headers: http.IncomingHttpHeaders; socket: WebSocket }[];
  readonly frames: string[];
  readonly server: WebSocketServer;
  close(): Promise<void>;
}

export async function startWsUpstream(name: string, options: { autoPong?: boolean; silent?: boolean } = {}): Promise<WsUpstream> {
  const http = (await import('node:http')).createServer();
  const server = new WebSocketServer({ server: http, autoPong: options.autoPong ?? true });
  const connections: WsUpstream['connections'] = [];
  const frames: string[] = [];
  server.on('connection', (socket, req) => {
    connections.push({ path: req.url ?? '', headers: req.headers, socket });
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? `<binary ${(data as Buffer).length}>` : data.toString();
      frames.push(text);
      if (!options.silent) socket.send(JSON.stringify({ from: name, path: req.url, got: text }));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    name, hostPort: `127.0.0.1:${port}`, connections, frames, server,
    close: () => new Promise((resolve) => {
      for (const client of server.clients) client.terminate();
      server.close(() => http.close(() => resolve()));
    }),
  };
}
