/**
 * The public listener. Fastify owns the server's lifecycle (listen, close, keep-alive and request
 * timeouts), but every request goes straight to the gateway's handler: routes would be frozen
 * once Fastify starts, so all routing lives in the swappable Pipeline anyway, and Fastify's
 * router, hooks and content-type parsing would only cost time on every request and answer some
 * inputs (an odd media type, a bad URL) with replies that are not the gateway's envelope.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { GatewayConfig } from './config-types.js';
import type { HttpHandler } from './http-handler.js';
import { noticeAwareServer, type ShutdownNotice } from './closing-response.js';

export function createGatewayListener(server: GatewayConfig['server'], handler: HttpHandler, shutdown: ShutdownNotice): FastifyInstance {
  return Fastify({
    logger: false,
    keepAliveTimeout: server.keepAliveTimeout,
    requestTimeout: server.requestTimeout,
    // While draining (core/drain.ts), a request that still arrives on an open keep-alive
    // connection is served, with `Connection: close` (core/closing-response.ts), rather than
    // refused: nothing is lost.
    return503OnClosing: false,
    // Fastify's own request handler is never attached: the gateway's handler takes every request.
    serverFactory: () => noticeAwareServer(shutdown, (req, res) => void handler.handle(req, res)),
  });
}
