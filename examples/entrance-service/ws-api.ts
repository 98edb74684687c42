/**
 * The entrance's WebSocket side, as Linkis's EntranceWebSocketService understands it: one
 * socket at `/ws/api/entrance/connect` (the gateway opens it per client connection), frames
 * `{"id"?, "method": "/api/rest_j/v1/entrance/execute" | "…/entrance/<execID>/(status|progress|log|kill)", "data": {…}}`,
 * answered with one Linkis envelope frame each, carrying the frame's `id` and this instance.
 */
import type { Server } from 'node:http';
import { WebSocketServer } from 'ws';
import { answerJob, PREFIX, type Answer, type EntranceState } from './http-api.js';

export const WS_PATH = '/ws/api/entrance/connect';

function answerFrame(state: EntranceState, frame: Record<string, any>, user: string | undefined): Answer {
  const method = typeof frame.method === 'string' ? frame.method : '';
  const path = method.split('?')[0]!;
  const rest = path.startsWith(PREFIX) ? path.slice(PREFIX.length).split('/') : [];
  const data = typeof frame.data === 'object' && frame.data !== null ? frame.data : {};
  return answerJob(state, true, rest, user, () => data)
    ?? { status: 1, message: `Unresolvable webSocket request, URI is(无法解析的webSocket请求，URI为：${method}` };
}

export function attachWebSocket(server: Server, state: EntranceState): WebSocketServer {
  const wss = new WebSocketServer({ server, path: WS_PATH, perMessageDeflate: false, maxPayload: 1 << 20 });
  wss.on('connection', (socket, req) => {
    const user = req.headers['x-linkis-user'] as string | undefined;
    socket.on('message', (data, isBinary) => {
      let frame: Record<string, any>;
      try {
        frame = isBinary ? {} : JSON.parse(data.toString()) as Record<string, any>;
      } catch {
        frame = {};
      }
      const result = answerFrame(state, frame, user);
      const method = typeof frame.method === 'string' ? frame.method.replace('/rest_j/v1', '') : null;
      socket.send(JSON.stringify({
        method, status: result.status ?? 0, message: result.message ?? 'OK',
        data: { instance: state.instance, ...result.data }, ...(frame.id === undefined ? {} : { id: frame.id }),
      }));
    });
  });
  return wss;
}
