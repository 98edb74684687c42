/**
 * `/api/rest_j/v1/gateway/heartbeat` (spec/linkis.md §1.6), for logged-in users: the gateway
 * instances a client may use. They are the registered instances of `linkis-mg-gateway`; a gateway
 * that is not registered lists itself.
 */
import { hostname } from 'node:os';
import { okBody } from './envelope.js';
import { GatewayError } from './errors.js';
import type { LocalEndpoint } from './local-endpoints.js';
import type { RegistryView } from './registry/snapshot.js';

export const GATEWAY_APPLICATION = 'linkis-mg-gateway';
const HEARTBEAT = /^\/api\/rest_[a-zA-Z]+\/(v\d+)\/gateway\/heartbeat$/;

/** `host:port` of this gateway's listener (`http://0.0.0.0:9001` → `<hostname>:9001`). */
export function selfHostPort(listenerUrl: string): string {
  const url = new URL(listenerUrl);
  const wildcard = url.hostname === '0.0.0.0' || url.hostname === '[::]';
  return `${wildcard ? hostname() : url.hostname}:${url.port}`;
}

export function gatewayHeartbeat(registry: RegistryView, listenerUrl: () => string): LocalEndpoint {
  return {
    name: 'gateway/heartbeat',
    path: HEARTBEAT,
    access: 'user',
    handle(request) {
      const version = HEARTBEAT.exec(request.target.path)![1]!;
      if (version !== 'v1') throw new GatewayError('LG_ERR_PARSE_UNSUPPORTED_VERSION', { expected: 'v1', version });
      const registered = registry.snapshot().app(GATEWAY_APPLICATION)?.instances.filter((instance) => instance.status === 'UP') ?? [];
      const gatewayList = registered.length > 0 ? registered.map((instance) => instance.hostPort) : [selfHostPort(listenerUrl())];
      request.reply(200, okBody('Gateway heartbeat ok!', { gatewayList, isHealthy: true }));
    },
  };
}
