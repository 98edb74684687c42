/** Raw Eureka API calls for tests, as the clients of spec eureka-and-etcd.md §4–5 make them. */
import type { Answer } from './http.js';
import type { TestGateway } from './gateway.js';

/** A register body in eureka-js-client's "object" style; `fields` override or add instance fields. */
export function registration(app: string, id: string | undefined, port: number, fields: Record<string, unknown> = {}): { instance: Record<string, unknown> } {
  return {
    instance: {
      app,
      ...(id === undefined ? {} : { instanceId: id }),
      hostName: '127.0.0.1',
      ipAddr: '127.0.0.1',
      vipAddress: app,
      port: { $: port, '@enabled': 'true' },
      dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
      status: 'UP',
      ...fields,
    },
  };
}

export function register(gateway: TestGateway, app: string, body: unknown, prefix = '/eureka'): Promise<Answer> {
  return gateway.admin(`${prefix}/apps/${encodeURIComponent(app)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
}

export function eureka(gateway: TestGateway, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return gateway.admin(path, { method, headers: { accept: 'application/json', ...headers } });
}

/** The instances of `GET /eureka/apps` (all applications). */
export async function registeredInstances(gateway: TestGateway): Promise<any[]> {
  const answer = await eureka(gateway, 'GET', '/eureka/apps');
  return answer.json().applications.application.flatMap((app: { instance: unknown[] }) => app.instance);
}

/** Polls `check` every 50 ms until it returns true; fails after `timeoutMs` (a generous deadline, not a timing goal). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
