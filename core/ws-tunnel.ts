/**
 * Plain 1:1 WebSocket proxying for handshake paths on `websocket.tunnels`: the handshake path
 * is resolved like an HTTP GET (core/ws-gateway.ts), the instance is dialled first (a refused dial is a 502
 * on the handshake, not a socket that opens and dies), then frames flow both ways unchanged.
 * Close codes are mapped so reserved ones (1005/1006/1015) are never sent (S24).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { type WebSocketServer } from 'ws';
import { instanceAt, type Principal, type RouteChoice } from './contracts.js';
import { GatewayError } from './errors.js';
import { targetToString } from './path.js';
import type { Pipeline } from './pipeline.js';
import type { RegistryView } from './registry/snapshot.js';
import { sendableCloseCode } from './ws-close-codes.js';
import { upstreamHandshakeHeaders, type Handshake } from './ws-session.js';
import type { WebSocketStats } from './ws-stats.js';

export interface TunnelDeps {
  readonly pipeline: Pipeline;
  readonly registry: RegistryView;
  readonly stats: WebSocketStats;
  /** Takes the client socket into the gateway's care (counted, closed with 1001 at shutdown). */
  adopt(client: WebSocket): void;
}

function dial(url: string, headers: Record<string, string | string[]>, maxPayload: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const upstream = new WebSocket(url, { headers: headers as Record<string, string>, perMessageDeflate: false, maxPayload, handshakeTimeout: 10_000 });
    upstream.once('open', () => resolve(upstream));
    upstream.once('error', reject);
  });
}

/** Relays frames one way, pausing the source while the destination's buffer is over the limit. */
function relay(from: WebSocket, to: WebSocket, limit: number, counted: () => void): void {
  from.on('message', (data, isBinary) => {
    counted();
    if (to.readyState !== WebSocket.OPEN) return;
    to.send(data as Buffer, { binary: isBinary }, () => {
      if (from.isPaused && to.bufferedAmount <= limit / 2) from.resume();
    });
    if (to.bufferedAmount > limit) from.pause();
  });
  from.on('close', (code) => {
    if (to.readyState === WebSocket.OPEN || to.readyState === WebSocket.CONNECTING) to.close(sendableCloseCode(code));
  });
  from.on('error', () => to.terminate());
}

/** Dials the instance `choice` resolved for the handshake, then upgrades the client. */
export async function openTunnel(
  server: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer,
  handshake: Handshake, principal: Principal | undefined, choice: RouteChoice, deps: TunnelDeps,
): Promise<void> {
  const { pipeline } = deps;
  const instance = instanceAt(choice, 0);
  const headers = upstreamHandshakeHeaders(pipeline, handshake, principal);
  for (const name of ['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions']) delete headers[name];
  const { maxMessageBytes, maxBufferedBytes } = pipeline.config.websocket;
  let upstream: WebSocket;
  try {
    upstream = await dial(`ws://${instance.origin.slice('http://'.length)}${targetToString(handshake.target)}`, headers, maxMessageBytes);
  } catch (error) {
    throw new GatewayError('LG_ERR_WS_UPSTREAM_CONNECT', { instance: instance.hostPort, application: choice.application }, { cause: error });
  }
  server.handleUpgrade(req, socket, head, (client) => {
    deps.adopt(client);
    relay(client, upstream, maxBufferedBytes, () => deps.stats.framesFromClients++);
    relay(upstream, client, maxBufferedBytes, () => deps.stats.framesToClients++);
  });
}
