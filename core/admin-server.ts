/**
 * The admin listener (127.0.0.1:9002 by default): health, readiness, config status, routes,
 * explain, and whatever routes other modules add (the Eureka API, labels, metrics, the dashboard).
 *
 * Access is deny-by-default (S3), decided in one hook before any route runs, for every route
 * and for paths no route serves:
 *   /healthz, /readyz, /, /ui/…   open (the dashboard's static page holds no data and asks for
 *                                  the token itself)
 *   /eureka, /eureka/…            HTTP Basic from `registry.eureka.auth` when it is set (Eureka
 *                                  clients send the credentials of their service URL)
 *   everything else               `Authorization: Bearer <admin.token>` when a token is set
 * Off loopback both must be set, or the gateway does not start (core/security-checks.ts, S2).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { noticeAwareServer, type ShutdownNotice } from './closing-response.js';
import { errorEnvelope, ENVELOPE_CONTENT_TYPE, okEnvelope } from './envelope.js';
import { GatewayError } from './errors.js';
import { explainRequest } from './explain.js';
import type { LocalEndpoints } from './local-endpoints.js';
import { describeRoutes } from './route-table.js';
import type { PipelineHolder, Reloader } from './reload.js';
import type { RegistryView } from './registry/snapshot.js';

export interface AdminDeps {
  readonly holder: PipelineHolder;
  readonly reloader: Reloader;
  readonly registry: RegistryView;
  readonly isReady: () => boolean;
  /** Set when shutdown begins: from then on every answer closes its connection. */
  readonly shutdown: ShutdownNotice;
  /** The public listener's own endpoints, which `explain` reports instead of a route. */
  readonly localEndpoints?: LocalEndpoints;
}

interface ExplainBody {
  readonly method?: unknown;
  readonly path?: unknown;
  readonly headers?: unknown;
  readonly body?: unknown;
  readonly client?: unknown;
}

/** Other modules add routes through this; they are registered before the listener starts. */
export type AdminModule = (app: FastifyInstance) => void;

export interface AdminRoute {
  readonly method: string;
  readonly url: string;
}

/** Every route registered on an admin server, so tests can walk the live table (S3). */
const routeTables = new WeakMap<FastifyInstance, AdminRoute[]>();

export function adminRouteTable(app: FastifyInstance): readonly AdminRoute[] {
  return routeTables.get(app) ?? [];
}

const OPEN_PATHS = new Set(['/healthz', '/readyz', '/']);
const EUREKA_PREFIXES = ['/eureka/', '/eureka'];
/** Static files of the dashboard (core/dashboard-module.ts). */
export const DASHBOARD_ASSETS = '/ui/';

export function tokensEqual(given: string, expected: string): boolean {
  // Hash first so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function sendError(reply: FastifyReply, method: string | null, error: GatewayError): FastifyReply {
  return reply.code(error.httpStatus).header('content-type', ENVELOPE_CONTENT_TYPE).send(errorEnvelope(method, error));
}

function isEurekaPath(path: string): boolean {
  return EUREKA_PREFIXES.some((prefix) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`));
}

/** True when the Basic credentials match `registry.eureka.auth` (constant-time). */
function eurekaCredentialsMatch(header: string | undefined, expected: { user: string; password: string }): boolean {
  if (!header?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return false;
  // Both compared, always, so timing does not tell which one was wrong.
  const userOk = tokensEqual(decoded.slice(0, colon), expected.user);
  const passwordOk = tokensEqual(decoded.slice(colon + 1), expected.password);
  return userOk && passwordOk;
}

export function createAdminServer(deps: AdminDeps, modules: readonly AdminModule[]): FastifyInstance {
  const app = Fastify({ logger: false, exposeHeadRoutes: false, serverFactory: (handler) => noticeAwareServer(deps.shutdown, handler) });
  const routes: AdminRoute[] = [];
  routeTables.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });

  app.addHook('onRequest', async (request, reply) => {
    const { admin, registry } = deps.holder.current.config;
    const path = request.url.split('?')[0]!;
    if (OPEN_PATHS.has(path) || path.startsWith(DASHBOARD_ASSETS)) return;
    if (isEurekaPath(path)) {
      if (!registry.eureka.auth || eurekaCredentialsMatch(request.headers.authorization, registry.eureka.auth)) return;
      reply.header('www-authenticate', 'Basic realm="labelgate eureka"');
      return sendError(reply, path, new GatewayError('LG_ERR_EUREKA_AUTH_REQUIRED'));
    }
    const token = admin.token;
    if (token === '') return;
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (given === '' || !tokensEqual(given, token)) {
      reply.header('www-authenticate', 'Bearer realm="labelgate admin"');
      return sendError(reply, path, new GatewayError('LG_ERR_AUTH_REQUIRED'));
    }
  });

  app.setNotFoundHandler((request, reply) => {
    sendError(reply, request.url, new GatewayError('LG_ERR_ADMIN_NOT_FOUND', { path: request.url.split('?')[0] }));
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = deps.isReady();
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  app.get('/admin/config', async () => deps.reloader.status());
  app.post('/admin/reload', async () => deps.reloader.reload());
  app.get('/admin/routes', async () => describeRoutes(deps.holder.current));
  const explain = async (input: ExplainBody | undefined, reply: FastifyReply) => {
    if (!input || typeof input.method !== 'string' || typeof input.path !== 'string') {
      return sendError(reply, '/admin/explain', new GatewayError('LG_ERR_ADMIN_BAD_REQUEST', { reason: 'send {"method": "GET", "path": "/api/…", "headers"?: {}, "body"?: "…"}, or GET ?method=GET&path=/api/…' }));
    }
    const body = typeof input.body === 'string' ? input.body : input.body === undefined ? undefined : JSON.stringify(input.body);
    const headers = (typeof input.headers === 'object' && input.headers !== null ? input.headers : {}) as Record<string, string>;
    const clientIp = typeof input.client === 'string' ? input.client : undefined;
    // Held like a request's: the auth stage may await while a reload swaps the pipeline.
    const pipeline = deps.holder.acquire();
    try {
      const explanation = await explainRequest(pipeline, deps.registry.snapshot(), {
        method: input.method, target: input.path, headers, ...(body === undefined ? {} : { body }), ...(clientIp === undefined ? {} : { clientIp }),
      }, deps.localEndpoints);
      return okEnvelope('/admin/explain', 'explained', { ...explanation });
    } finally {
      deps.holder.release(pipeline);
    }
  };
  app.post('/admin/explain', async (request, reply) => explain(request.body as ExplainBody | undefined, reply));
  app.get('/admin/explain', async (request, reply) => explain(request.query as ExplainBody, reply));

  for (const module of modules) module(app);
  return app;
}
