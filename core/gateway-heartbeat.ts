/**
 * `/api/rest_j/v1/gateway/heartbeat` (spec/linkis.md §1.6), for logged-in users: the gateway
 * instances a client may use (the client SDK fails over between them). The list is, without
 * repeats:
 *
 *   this gateway ─► its peers (with `registry.store: etcd`: every live `<prefix>members/` entry)
 *                ─► the UP instances registered (or read from an upstream Eureka) as `linkis-mg-gateway`
 *
 * so a gateway alone lists itself, and gateways sharing an etcd list each other.
 */
import { hostname } from 'node:os';
import { okBody } from './envelope.js';
import { GatewayError } from './errors.js';
import type { LocalEndpoint } from './local-endpoints.js';
import type { RegistryView } from './registry/snapshot.js';

export const GATEWAY_APPLICATION = 'linkis-mg-gateway';
/** The key of `context.services` that holds the other gateways of the cluster (GatewayPeers). */
export const GATEWAY_PEERS_SERVICE = 'gatewayPeers';
const HEARTBEAT = /^\/api\/rest_[a-zA-Z]+\/(v\d+)\/gateway\/heartbeat$/;

/** The live gateways of the cluster, this one included once it has announced itself. */
export interface GatewayPeers {
  hostPorts(): readonly string[];
}

/** The peers a module offered in `services`, or none. */
export function peersOf(services: Readonly<Record<string, unknown>>): GatewayPeers | undefined {
  const peers = services[GATEWAY_PEERS_SERVICE] as Partial<GatewayPeers> | undefined;
  return typeof peers?.hostPorts === 'function' ? (peers as GatewayPeers) : undefined;
}

/** `host:port` of this gateway's listener (`http://0.0.0.0:9001` → `<hostname>:9001`). */
export function selfHostPort(listenerUrl: string): string {
  const url = new URL(listenerUrl);
  const wildcard = url.hostname === '0.0.0.0' || url.hostname === '[::]';
  return `${wildcard ? hostname() : url.hostname}:${url.port}`;
}

export function gatewayHeartbeat(registry: RegistryView, listenerUrl: () => string, peers: () => GatewayPeers | undefined = () => undefined): LocalEndpoint {
  return {
    name: 'gateway/heartbeat',
    path: HEARTBEAT,
    access: 'user',
    handle(request) {
      const version = HEARTBEAT.exec(request.target.path)![1]!;
      if (version !== 'v1') throw new GatewayError('LG_ERR_PARSE_UNSUPPORTED_VERSION', { expected: 'v1', version });
      const registered = registry.snapshot().app(GATEWAY_APPLICATION)?.instances.filter((instance) => instance.status === 'UP') ?? [];
      const gatewayList = [...new Set([selfHostPort(listenerUrl()), ...(peers()?.hostPorts() ?? []), ...registered.map((instance) => instance.hostPort)])];
      request.reply(200, okBody('Gateway heartbeat ok!', { gatewayList, isHealthy: true }));
    },
  };
}
