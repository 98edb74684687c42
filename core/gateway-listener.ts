/**
 * The public listener: Fastify with one catch-all route. Routes are frozen once Fastify starts,
 * so all routing lives behind this route in the swappable Pipeline. Bodies are not parsed here:
 * the content-type parser hands the raw stream through and the handler decides.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { GatewayConfig } from './config-types.js';
import type { HttpHandler } from './http-handler.js';

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'] as const;

export function createGatewayListener(server: GatewayConfig['server'], handler: HttpHandler): FastifyInstance {
  const app = Fastify({
    logger: false,
    keepAliveTimeout: server.keepAliveTimeout,
    requestTimeout: server.requestTimeout,
    exposeHeadRoutes: false,
    // While draining (core/drain.ts), a request that still arrives on an open keep-alive
    // connection is served, with `Connection: close`, rather than refused: nothing is lost.
    return503OnClosing: false,
    // The handler checks the path itself (core/path.ts); Fastify must not reject or rewrite it.
    routerOptions: { ignoreDuplicateSlashes: false, ignoreTrailingSlash: false, maxParamLength: 1_000_000 },
    frameworkErrors: (_error, request, reply) => {
      reply.hijack();
      void handler.handle(request.raw, reply.raw);
    },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  // Requests are taken over in onRequest, before Fastify looks at Content-Type: it would answer
  // a malformed media type with a 415 of its own (not an envelope), ahead of the gateway's own
  // strict check (core/media-type.ts, S18). The route and the not-found handler only make every
  // method and path reach this hook; a hijacked reply never gets to them.
  app.addHook('onRequest', (request, reply, done) => {
    reply.hijack();
    void handler.handle(request.raw, reply.raw);
    done();
  });
  const unreachable = async () => undefined;
  app.route({ method: [...ALL_METHODS], url: '/*', handler: unreachable });
  app.setNotFoundHandler(unreachable);
  return app;
}
