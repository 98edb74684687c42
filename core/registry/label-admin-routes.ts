/**
 * Labels and instances on the admin listener (design §3.7), behind `admin.token`:
 *
 *   GET    /admin/labels                       every label entry {app, instance, labels, orphan}
 *   GET    /admin/labels/<app>/<host:port>      one entry (404 when none)
 *   PUT    /admin/labels/<app>/<host:port>      body {"route": "et1"} replaces them ({} removes)
 *   DELETE /admin/labels/<app>/<host:port>      removes them (404 when none)
 *   GET    /admin/instances                    every routable instance, its effective labels and
 *                                              lease, and the orphan labels
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminModule } from '../admin-server.js';
import { okEnvelope } from '../envelope.js';
import { GatewayError } from '../errors.js';
import { answerErrorsWithEnvelopes, pathSegments } from './admin-scope.js';
import type { LabelService } from './label-service.js';
import { checkApplication, checkInstanceName, checkLabelMap } from './labels.js';
import type { InstanceView, RegistryView } from './snapshot.js';
import type { LeaseState, RegistryStore } from './store.js';

const BODY_LIMIT = 64 * 1024;
const LABELS = '/admin/labels';

export interface LabelAdminDeps {
  readonly labels: LabelService;
  readonly registry: RegistryView;
  readonly store: RegistryStore;
}

async function leaseOf(store: RegistryStore, instance: InstanceView): Promise<LeaseState | undefined> {
  return instance.source === 'eureka' ? store.lease(instance.app, instance.id) : undefined;
}

async function instancesAnswer(deps: LabelAdminDeps) {
  const snapshot = deps.registry.snapshot();
  const all = [...snapshot.apps.values()].flatMap((app) => app.instances);
  const leases = await Promise.all(all.map((instance) => leaseOf(deps.store, instance)));
  const instances = all.map((instance, index) => {
    const lease = leases[index];
    return {
      app: instance.app, id: instance.id, instance: instance.hostPort, status: instance.status, source: instance.source,
      labels: instance.labels, operatorLabels: deps.labels.find(instance.app, instance.hostPort)?.labels ?? null, metadata: instance.metadata,
      lease: lease ? { ttlSeconds: lease.ttlSeconds, lastRenewal: lease.lastRenewal === undefined ? null : new Date(lease.lastRenewal).toISOString(), expiresAt: new Date(lease.expiresAt).toISOString() } : null,
    };
  });
  const orphanLabels = deps.labels.list().filter((entry) => entry.orphan);
  return okEnvelope('/admin/instances', 'OK', { revision: snapshot.revision, instances, orphanLabels });
}

async function oneEntry(deps: LabelAdminDeps, request: FastifyRequest, reply: FastifyReply) {
  const path = request.url.split('?')[0]!;
  const parts = pathSegments(request.raw.url ?? '', `${LABELS}/`);
  if (parts.length !== 2) throw new GatewayError('LG_ERR_ADMIN_NOT_FOUND', { path });
  const app = checkApplication(parts[0]);
  const instance = checkInstanceName(parts[1]);
  switch (request.method) {
    case 'GET':
      return okEnvelope(path, 'OK', { ...deps.labels.get(app, instance) });
    case 'PUT': {
      const labels = await deps.labels.replace(app, instance, checkLabelMap(request.body));
      return okEnvelope(path, 'labels replaced', { app, instance, labels });
    }
    case 'DELETE':
      if (!(await deps.labels.remove(app, instance))) throw new GatewayError('LG_ERR_LABEL_NOT_FOUND', { app, instance });
      return reply.send(okEnvelope(path, 'labels removed', { app, instance }));
    default:
      throw new GatewayError('LG_ERR_METHOD_NOT_ALLOWED', { method: request.method, path, allowed: 'GET, PUT, DELETE' });
  }
}

function routes(scope: FastifyInstance, deps: LabelAdminDeps): void {
  answerErrorsWithEnvelopes(scope, BODY_LIMIT);
  scope.get(LABELS, async () => okEnvelope(LABELS, 'OK', { labels: deps.labels.list() }));
  scope.route({ method: ['GET', 'PUT', 'DELETE', 'POST'], url: `${LABELS}/*`, bodyLimit: BODY_LIMIT, handler: (request, reply) => oneEntry(deps, request, reply) });
  scope.get('/admin/instances', async () => instancesAnswer(deps));
}

export function labelAdminModule(deps: LabelAdminDeps): AdminModule {
  return (app) => {
    void app.register(async (scope) => routes(scope, deps));
  };
}
