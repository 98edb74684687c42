/**
 * WebSocket upgrades on the public listener (`/ws/**`). The handshake is resolved like an HTTP
 * request (core/request/resolve.ts) before any upstream is dialled: the path normaliser (S13),
 * the `websocket.prefix` check (404 outside it), the client IP allow list and referer, then
 * pass-through or the auth plugins (401).
 * Then the connection is either multiplexed (core/ws-session.ts, the default) or, for paths on
 * `websocket.tunnels`, proxied 1:1 to the instance its path routes to (core/ws-tunnel.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from './contracts.js';
import { errorResponse } from './envelope.js';
import { GatewayError } from './errors.js';
import { IncomingAuthRequest } from './auth-request.js';
import type { LocalEndpoints } from './local-endpoints.js';
import type { Pipeline } from './pipeline.js';
import type { PipelineHolder } from './reload.js';
import type { RegistryView } from './registry/snapshot.js';
import { resolve } from './request/resolve.js';
import { REQUEST_ID_HEADER, requestIdFor } from './telemetry/request-id.js';
import { traceHeaders, traceOf } from './telemetry/exchange.js';
import { CLOSE_GOING_AWAY } from './ws-close-codes.js';
import { MultiplexSession, type Handshake } from './ws-session.js';
import { WebSocketStats } from './ws-stats.js';
import { openTunnel } from './ws-tunnel.js';

export interface WebSocketDeps {
  readonly holder: PipelineHolder;
  readonly registry: RegistryView;
  readonly logger: Logger;
  /** Endpoints the gateway answers itself: a frame addressed to one is refused, not routed. */
  readonly localEndpoints?: LocalEndpoints;
}

/** Refuses an upgrade with an envelope on the raw socket, before any WebSocket exists. */
function refuse(socket: Duplex, error: unknown): void {
  const { httpStatus, body } = errorResponse(null, error);
  const payload = JSON.stringify(body);
  socket.end(`HTTP/1.1 ${httpStatus} ${httpStatus === 401 ? 'Unauthorized' : httpStatus === 404 ? 'Not Found' : 'Error'}\r\n`
    + 'Content-Type: application/json;charset=UTF-8\r\n'
    + `Content-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`);
}

export class WebSocketGateway {
  private readonly sessions = new Set<MultiplexSession>();
  /** Client sockets of 1:1 tunnels, closed with 1001 at shutdown like the sessions. */
  private readonly tunnels = new Set<WebSocket>();
  private readonly servers = new Map<number, WebSocketServer>();
  private timer: NodeJS.Timeout | undefined;
  private heartbeatMs = 0;
  readonly stats = new WebSocketStats();

  constructor(private readonly deps: WebSocketDeps) {
    this.schedule();
    deps.holder.onSwap(() => this.schedule());
  }

  /** One heartbeat timer for all sessions, re-armed when `websocket.heartbeat` changes. */
  private schedule(): void {
    const interval = this.deps.holder.current.config.websocket.heartbeat;
    if (interval === this.heartbeatMs) return;
    clearInterval(this.timer);
    this.heartbeatMs = interval;
    this.timer = setInterval(() => {
      for (const session of this.sessions) session.heartbeat();
    }, interval);
    this.timer.unref();
  }

  /** `ws` fixes maxPayload per server: one server per configured limit. */
  private serverFor(maxPayload: number): WebSocketServer {
    let server = this.servers.get(maxPayload);
    if (!server) {
      server = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload, clientTracking: false });
      this.servers.set(maxPayload, server);
    }
    return server;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    // Held like an HTTP request's: a reload while the handshake awaits its auth or its tunnel's
    // instance must not close the plugins this handshake still uses.
    const pipeline = this.deps.holder.acquire();
    this.upgrade(pipeline, req, socket, head)
      .catch((error: unknown) => {
        if (!(error instanceof GatewayError)) this.deps.logger.error({ err: error }, 'websocket upgrade failed');
        if (!socket.destroyed) refuse(socket, error);
      })
      .finally(() => this.deps.holder.release(pipeline));
  }

  private async upgrade(pipeline: Pipeline, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { websocket } = pipeline.config;
    const client = pipeline.security.clientAddress(req);
    const isTunnel = (path: string) => pipeline.websocketTunnels.some((tunnel) => tunnel.test(path));
    // A tunnel's handshake is routed like an HTTP GET; a multiplexed one only admitted, its
    // frames are resolved one by one (core/ws-session.ts). No CORS on a handshake.
    const resolution = await resolve(pipeline, {
      method: 'GET',
      rawTarget: req.url ?? '/',
      headers: req.headers,
      within: websocket.prefix,
      screen: { clientIp: client.ip },
      credentials: (target) => new IncomingAuthRequest(req, target, client),
      readBody: () => undefined,
      snapshot: () => this.deps.registry.snapshot(),
      auth: 'enforce',
      admitOnly: (target) => !isTunnel(target.path),
    });
    if (resolution.error) throw resolution.unexpected ?? resolution.error;
    const auth = resolution.auth!;
    const handshake: Handshake = {
      target: auth.target, headers: req.headers, client, auth, scheme: auth.socketScheme,
      traceHeaders: traceHeaders(requestIdFor(req.headers[REQUEST_ID_HEADER]), traceOf(req.headers, pipeline.config.tracing.generate)),
    };
    const server = this.serverFor(websocket.maxMessageBytes);
    if (resolution.choice) {
      await openTunnel(server, req, socket, head, handshake, resolution.principal, resolution.choice, { ...this.deps, pipeline, stats: this.stats, adopt: (ws) => this.adoptTunnel(ws) });
      return;
    }
    server.handleUpgrade(req, socket, head, (ws) => {
      const session = new MultiplexSession(ws, socket, handshake, { ...this.deps, localEndpoints: this.deps.localEndpoints, stats: this.stats });
      this.sessions.add(session);
      this.stats.track(ws);
      ws.once('close', () => this.sessions.delete(session));
    });
  }

  private adoptTunnel(client: WebSocket): void {
    this.stats.track(client);
    this.tunnels.add(client);
    client.once('close', () => this.tunnels.delete(client));
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Shutdown: every client socket is closed with 1001, and its upstream links with it. */
  close(code = CLOSE_GOING_AWAY): void {
    clearInterval(this.timer);
    for (const session of this.sessions) session.closeClient(code);
    this.sessions.clear();
    for (const client of this.tunnels) client.close(code);
    this.tunnels.clear();
    for (const server of this.servers.values()) server.close();
  }
}
