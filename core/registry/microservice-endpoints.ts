/**
 * Linkis's instance-label API (spec linkis.md §7.2) answered by the gateway itself on its public
 * listener, so Linkis's console and scripts manage labels unchanged:
 *
 *   GET /api/rest_j/v1/microservice/allInstance          admin   data.instances
 *   PUT /api/rest_j/v1/microservice/instanceLabel        admin   replaces an instance's labels
 *   GET /api/rest_j/v1/microservice/modifiableLabelKey   user    data.keyList
 *   GET /api/rest_j/v1/microservice/serviceInstances     user    data.list (Eureka instances)
 *
 * As in Linkis, `instanceLabel` silently drops keys that are not user-modifiable and refuses a
 * key given twice; unlike Linkis, a value outside `[A-Za-z0-9_.]` is refused (400), not only `-`.
 */
import { collectBody } from '../body-reader.js';
import { okBody } from '../envelope.js';
import { GatewayError } from '../errors.js';
import type { LocalEndpoint, LocalRequest } from '../local-endpoints.js';
import type { LabelService } from './label-service.js';
import { MODIFIABLE_LABEL_KEYS, checkApplication, checkInstanceName, checkLabelValue } from './labels.js';
import type { RegistryMirror } from './mirror.js';
import type { InstanceView, RegistryView } from './snapshot.js';

const BASE = '/api/rest_j/v1/microservice';
const BODY_LIMIT = 64 * 1024;

export interface MicroserviceDeps {
  readonly labels: LabelService;
  readonly registry: RegistryView;
  readonly mirror: RegistryMirror;
}

type LabelPair = { labelKey: string; stringValue: string };

function pairs(labels: Readonly<Record<string, string>>): LabelPair[] {
  return Object.entries(labels).map(([labelKey, stringValue]) => ({ labelKey, stringValue }));
}

function only(method: string, request: LocalRequest): void {
  if (request.req.method !== method) {
    throw new GatewayError('LG_ERR_METHOD_NOT_ALLOWED', { method: request.req.method ?? '', path: request.target.path, allowed: method });
  }
}

async function jsonBody(request: LocalRequest): Promise<unknown> {
  const bytes = await collectBody(request.req, BODY_LIMIT);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new GatewayError('LG_ERR_BODY_MALFORMED_JSON', { reason: (error as Error).message });
  }
}

/** The labels of a Linkis `instanceLabel` body: modifiable keys only, each once, values checked. */
export function linkisLabels(list: unknown): Record<string, string> {
  if (!Array.isArray(list)) throw new GatewayError('LG_ERR_LABEL_BAD_REQUEST', { reason: 'labels must be a list of {"labelKey", "stringValue"}' });
  const labels: Record<string, string> = {};
  for (const item of list as { labelKey?: unknown; stringValue?: unknown }[]) {
    if (typeof item !== 'object' || item === null || typeof item.labelKey !== 'string') {
      throw new GatewayError('LG_ERR_LABEL_BAD_REQUEST', { reason: 'labels must be a list of {"labelKey", "stringValue"}' });
    }
    if (!MODIFIABLE_LABEL_KEYS.includes(item.labelKey)) continue;
    if (item.labelKey in labels) throw new GatewayError('LG_ERR_LABEL_BAD_REQUEST', { reason: `Failed to update label, include repeat label(更新label失败，包含重复label): ${item.labelKey}` });
    labels[item.labelKey] = checkLabelValue(item.labelKey, item.stringValue);
  }
  return labels;
}

function eurekaShape(deps: MicroserviceDeps, instance: InstanceView): Record<string, unknown> {
  const served = instance.source === 'eureka' ? deps.mirror.instance(instance.app, instance.id) : undefined;
  if (served) return { ...served.record };
  return {
    instanceId: instance.id, hostName: instance.host, app: instance.app.toUpperCase(), ipAddr: instance.host, status: instance.status,
    port: { $: instance.port, '@enabled': 'true' }, metadata: instance.metadata,
  };
}

function allInstances(registry: RegistryView): InstanceView[] {
  return [...registry.snapshot().apps.values()].flatMap((app) => app.instances);
}

export function microserviceEndpoints(deps: MicroserviceDeps): LocalEndpoint[] {
  return [
    {
      name: 'microservice-all-instance', path: `${BASE}/allInstance`, access: 'admin',
      handle(request) {
        only('GET', request);
        const instances = allInstances(deps.registry).map((instance) => {
          const record = instance.source === 'eureka' ? deps.mirror.instance(instance.app, instance.id)?.record : undefined;
          const operator = deps.labels.find(instance.app, instance.hostPort);
          return {
            id: instance.id, applicationName: instance.app, instance: instance.hostPort, labels: pairs(instance.labels),
            createTime: record ? record.leaseInfo.registrationTimestamp : null,
            updateTime: operator?.updatedAt ?? (record ? Number(record.lastUpdatedTimestamp) : null),
          };
        });
        request.reply(200, okBody('OK', { instances }));
      },
    },
    {
      name: 'microservice-instance-label', path: `${BASE}/instanceLabel`, access: 'admin',
      async handle(request) {
        only('PUT', request);
        const body = (await jsonBody(request)) as { applicationName?: unknown; instance?: unknown; labels?: unknown } | null;
        if (typeof body !== 'object' || body === null) throw new GatewayError('LG_ERR_LABEL_BAD_REQUEST', { reason: 'the body must be {"applicationName", "instance", "labels"}' });
        const app = checkApplication(body.applicationName);
        const instance = checkInstanceName(body.instance);
        const labels = await deps.labels.replace(app, instance, linkisLabels(body.labels));
        request.reply(200, okBody('success', { labels: pairs(labels) }));
      },
    },
    {
      name: 'microservice-modifiable-label-key', path: `${BASE}/modifiableLabelKey`, access: 'user',
      handle(request) {
        only('GET', request);
        request.reply(200, okBody('OK', { keyList: [...MODIFIABLE_LABEL_KEYS] }));
      },
    },
    {
      name: 'microservice-service-instances', path: `${BASE}/serviceInstances`, access: 'user',
      handle(request) {
        only('GET', request);
        const query = new URLSearchParams(request.target.query);
        const filters = { serviceName: query.get('serviceName'), hostName: query.get('hostName'), ip: query.get('ip'), version: query.get('version') };
        const list = allInstances(deps.registry).map((instance) => eurekaShape(deps, instance)).filter((shape) => (
          (!filters.serviceName || String(shape.app).toLowerCase() === filters.serviceName.toLowerCase())
          && (!filters.hostName || shape.hostName === filters.hostName)
          && (!filters.ip || shape.ipAddr === filters.ip)
          && (!filters.version || (shape.metadata as Record<string, string>)['linkis.app.version'] === filters.version)
        ));
        request.reply(200, okBody('OK', { list }));
      },
    },
  ];
}
