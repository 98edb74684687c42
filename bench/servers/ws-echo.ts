/**
 * Benchmark upstream: a WebSocket entrance instance as Linkis's EntranceWebSocketService
 * answers the gateway (examples/entrance-service/ws-api.ts): every text frame
 * `{"id", "method", "data"}` gets one envelope frame carrying the frame's `id` and this instance.
 * Accepts any path. `node ws-echo.js` prints `READY http://127.0.0.1:port`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

const server = http.createServer((_req, res) => res.writeHead(426).end());
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 1 << 20 });
let taskId = 0;
wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    let frame: Record<string, unknown> = {};
    try {
      if (!isBinary) frame = JSON.parse(data.toString()) as Record<string, unknown>;
    } catch { /* answered as an unknown method */ }
    const method = typeof frame.method === 'string' ? frame.method.replace('/rest_j/v1', '') : null;
    socket.send(JSON.stringify({
      method, status: 0, message: 'OK',
      data: { instance, taskID: ++taskId }, ...(frame.id === undefined ? {} : { id: frame.id }),
    }));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const instance = `127.0.0.1:${(server.address() as AddressInfo).port}`;
process.stdout.write(`READY http://${instance}\n`);
process.once('SIGTERM', () => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  server.close(() => process.exit(0));
});
