/**
 * The Eureka REST API on the admin listener (spec eureka-and-etcd.md §1–2), identical under
 * `/eureka/`, `/eureka/v1/` and `/eureka/v2/`, with or without a trailing slash:
 *
 *   GET  apps[/]              full registry          GET  apps/delta         recent changes
 *   POST apps/APP             register (204)         GET  apps/APP[/ID]      one app, one instance
 *   PUT  apps/APP/ID          heartbeat              DELETE apps/APP/ID      cancel
 *   PUT|DELETE apps/APP/ID/status?value=S           PUT  apps/APP/ID/metadata?k=v
 *   GET  instances/ID    GET vips/VIP    GET svips/SVIP
 *
 * Segments after `apps/` are split from the raw URL and decoded one by one, so instance ids
 * with colons or encoded slashes work, and ids longer than Fastify's parameter limit too.
 * Answers are JSON whatever `Accept` says (every client asks for JSON; a bare curl gets JSON
 * too: a documented deviation from Eureka's XML default), gzipped when the client accepts it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminModule } from '../admin-server.js';
import { GatewayError } from '../errors.js';
import { answerErrorsWithEnvelopes, pathSegments } from './admin-scope.js';
import type { EurekaReads, Payload } from './eureka-reads.js';
import type { EurekaWrites } from './eureka-writes.js';

export const EUREKA_PREFIXES = ['/eureka', '/eureka/v1', '/eureka/v2'] as const;
const REGISTRATION_LIMIT = 1024 * 1024;

export interface EurekaRouteDeps {
  readonly reads: EurekaReads;
  readonly writes: EurekaWrites;
  /** `registry.eureka.auth` of the config in force; undefined: the API is open. */
}

type Query = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    return coding === 'gzip' && !params.some((param) => /^\s*q=0(\.0*)?\s*$/.test(param));
  });
}

async function sendPayload(request: FastifyRequest, reply: FastifyReply, payload: Payload): Promise<FastifyReply> {
  reply.header('content-type', 'application/json').header('vary', 'accept-encoding');
  if (acceptsGzip(request.headers['accept-encoding'])) return reply.header('content-encoding', 'gzip').send(await payload.gzipped());
  return reply.send(payload.json);
}

function metadataEntries(query: Query): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    const text = first(value);
    if (text !== undefined) entries[key] = text;
  }
  return entries;
}

function notAllowed(request: FastifyRequest, allowed: string): never {
  throw new GatewayError('LG_ERR_METHOD_NOT_ALLOWED', { method: request.method, path: request.url.split('?')[0], allowed });
}

/** Everything under `apps/`: dispatched on the number of segments, then the method. */
async function apps(deps: EurekaRouteDeps, base: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const parts = pathSegments(request.raw.url ?? '', base);
  const query = request.query as Query;
  const { method } = request;
  const [app, id, action] = parts;
  if (parts.length === 1 && app === 'delta') {
    if (method !== 'GET') notAllowed(request, 'GET');
    return sendPayload(request, reply, deps.reads.delta());
  }
  if (parts.length === 1) {
    if (method === 'GET') return sendPayload(request, reply, deps.reads.application(app!));
    if (method !== 'POST') notAllowed(request, 'GET, POST');
    const body = request.body === undefined ? undefined : parseJsonBody(request);
    await deps.writes.register(app!, body);
    return reply.code(204).send();
  }
  if (parts.length === 2) {
    if (method === 'GET') return sendPayload(request, reply, deps.reads.instance(app!, id!));
    if (method === 'PUT') await deps.writes.renew(app!, id!, first(query.lastDirtyTimestamp));
    else if (method === 'DELETE') await deps.writes.cancel(app!, id!);
    else notAllowed(request, 'GET, PUT, DELETE');
    return reply.code(200).send();
  }
  if (parts.length === 3 && action === 'status') {
    if (method === 'PUT') await deps.writes.setStatus(app!, id!, first(query.value), first(query.lastDirtyTimestamp));
    else if (method === 'DELETE') await deps.writes.deleteStatus(app!, id!, first(query.value));
    else notAllowed(request, 'PUT, DELETE');
    return reply.code(200).send();
  }
  if (parts.length === 3 && action === 'metadata') {
    if (method !== 'PUT') notAllowed(request, 'PUT');
    await deps.writes.updateMetadata(app!, id!, metadataEntries(query));
    return reply.code(200).send();
  }
  throw new GatewayError('LG_ERR_ADMIN_NOT_FOUND', { path: request.url.split('?')[0] });
}

function parseJsonBody(request: FastifyRequest): unknown {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw new GatewayError('LG_ERR_EUREKA_BAD_REGISTRATION', { reason: `the body must be JSON (Content-Type: application/json), not "${type}"` });
  }
  const bytes = request.body as Buffer;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new GatewayError('LG_ERR_EUREKA_BAD_REGISTRATION', { reason: `the body is not JSON: ${(error as Error).message}` });
  }
}

function scopeRoutes(scope: FastifyInstance, deps: EurekaRouteDeps, prefix: string): void {
  // Bodies are read as bytes and parsed by the one route that takes one: Spring's heartbeats
  // carry `Content-Type: application/json` with an empty body, which Fastify's parser refuses.
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: REGISTRATION_LIMIT }, (_request, body, done) => done(null, body));
  answerErrorsWithEnvelopes(scope, REGISTRATION_LIMIT);

  const full = async (request: FastifyRequest, reply: FastifyReply) => sendPayload(request, reply, deps.reads.full());
  scope.get('/apps', full);
  scope.get('/apps/', full);
  scope.route({ method: ['GET', 'POST', 'PUT', 'DELETE'], url: '/apps/*', handler: (request, reply) => apps(deps, `${prefix}/apps/`, request, reply) });
  const single = (base: string, answer: (name: string) => Payload) => async (request: FastifyRequest, reply: FastifyReply) => {
    const [name, ...rest] = pathSegments(request.raw.url ?? '', `${prefix}/${base}/`);
    if (name === undefined || rest.length > 0) throw new GatewayError('LG_ERR_ADMIN_NOT_FOUND', { path: request.url.split('?')[0] });
    return sendPayload(request, reply, answer(name));
  };
  scope.get('/instances/*', single('instances', (id) => deps.reads.instanceById(id)));
  scope.get('/vips/*', single('vips', (vip) => deps.reads.vip(vip, false)));
  scope.get('/svips/*', single('svips', (vip) => deps.reads.vip(vip, true)));
}

/** Registers the API under every prefix of the admin listener. */
export function eurekaAdminModule(deps: EurekaRouteDeps): AdminModule {
  return (app) => {
    for (const prefix of EUREKA_PREFIXES) {
      void app.register(async (scope) => scopeRoutes(scope, deps, prefix), { prefix });
    }
  };
}
