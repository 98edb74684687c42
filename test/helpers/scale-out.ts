/**
 * The scale-out fixture: real etcd (one member or three), an upstream entrance, and two gateway
 * processes A and B sharing the etcd, with a password user for session tests and job submissions
 * to `linkis-cg-entrance` needing no login.
 */
import { passwordStrategy, securitySection } from './auth.js';
import { startEtcd, type EtcdCluster } from './etcd.js';
import { etcdGatewayYaml, startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import type { Answer } from './http.js';
import { startUpstream, type Upstream } from './upstream.js';

export const ENTRANCE = 'linkis-cg-entrance';
export const ALICE = { name: 'alice', password: 'alice-password', admin: true };

export interface ScaleOut {
  readonly etcd: EtcdCluster;
  readonly upstream: Upstream;
  readonly a: GatewayProcess;
  readonly b: GatewayProcess;
  /** The config both gateways run (start a third with it). */
  readonly yaml: string;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function scaleOutYaml(endpoints: readonly string[], prefix = '/scale-out/'): Promise<string> {
  const security = securitySection(await passwordStrategy([ALICE]), '  passThrough: ["^/api/rest_j/v1/entrance/"]\n');
  return etcdGatewayYaml(endpoints, prefix, `${security}router: { use: label, options: { serverList: [${ENTRANCE}] } }\n`);
}

export async function startScaleOut(t: Teardown, members = 1): Promise<ScaleOut> {
  const etcd = await startEtcd(t, members);
  const upstream = await startUpstream('entrance-1');
  t.teardown(() => upstream.close());
  const yaml = await scaleOutYaml(etcd.endpoints);
  const [a, b] = await Promise.all([startGatewayProcess(t, yaml), startGatewayProcess(t, yaml)]);
  await Promise.all([a.ready(), b.ready()]);
  return { etcd, upstream, a, b, yaml };
}

/** Registers an entrance instance through a gateway's Eureka API. */
export function registerEntrance(gw: GatewayProcess, id: string, port: number, options: { ttl?: number; route?: string } = {}): Promise<Answer> {
  const instance = {
    app: ENTRANCE, instanceId: id, hostName: '127.0.0.1', ipAddr: '127.0.0.1', vipAddress: ENTRANCE,
    port: { $: port, '@enabled': 'true' }, status: 'UP',
    dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
    leaseInfo: { durationInSecs: options.ttl ?? 30 },
    metadata: options.route === undefined ? {} : { route: options.route },
  };
  return gw.admin(`/eureka/apps/${ENTRANCE}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instance }) });
}

export function eurekaCall(gw: GatewayProcess, method: string, path: string): Promise<Answer> {
  return gw.admin(path, { method, headers: { accept: 'application/json' } });
}

/** Instance ids of the entrance as the gateway serves them. */
export async function entranceIds(gw: GatewayProcess): Promise<string[]> {
  const answer = await eurekaCall(gw, 'GET', '/eureka/apps');
  const apps = answer.json().applications.application as { name: string; instance: { instanceId: string }[] }[];
  return (apps.find((app) => app.name === ENTRANCE.toUpperCase())?.instance ?? []).map((instance) => instance.instanceId).sort();
}

/** A job submission through the gateway's public listener (no login needed). */
export function submit(gw: GatewayProcess, route?: string): Promise<Answer> {
  return gw.request('/api/rest_j/v1/entrance/submit', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(route === undefined ? {} : { labels: { route } }),
  });
}
