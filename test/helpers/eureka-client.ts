/**
 * Real eureka-js-client processes for tests (test/helpers/eureka-client-process.ts): start one
 * against a gateway's `/eureka/`, wait for what it reports, read its cache, stop it cleanly
 * (it sends its DELETE) or kill it (it dies silently, its lease must expire).
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EurekaClient } from 'eureka-js-client';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'eureka-client-process.js');

export interface EurekaClientOptions {
  /** e.g. `http://127.0.0.1:9002/eureka/apps/` (credentials may be in the URL). */
  readonly serviceUrl: string;
  /** Instance fields as the client's config takes them (the wire shapes of spec §3.1). */
  readonly instance: Record<string, unknown> & { app: string };
  readonly heartbeatInterval?: number;
  readonly registryFetchInterval?: number;
  readonly shouldUseDelta?: boolean;
  readonly fetchRegistry?: boolean;
}

export interface EurekaClientProcess {
  readonly child: ChildProcess;
  /** Every event reported so far, in order. */
  readonly events: string[];
  readonly logs: string[];
  count(event: string): number;
  /** Resolves once `event` has been reported `times` times in all. */
  waitFor(event: string, times?: number, timeoutMs?: number): Promise<void>;
  app(appId: string): Promise<EurekaClient.EurekaInstanceConfig[]>;
  vip(vip: string): Promise<EurekaClient.EurekaInstanceConfig[]>;
  /** `client.stop()`: deregisters, then the process exits. */
  stop(): Promise<void>;
  /** SIGKILL: no DELETE, the lease has to expire. */
  kill(): Promise<void>;
}

/** eureka-js-client's Spring-compatible instance style (spec §4 "object" config). */
export const OBJECT_STYLE = { instanceId: 'foo-1', port: { $: 9205, '@enabled': 'true' }, metadata: { route: 'et1' } };

/** The gateway's Eureka URL as a client is configured with it, optionally with credentials (`user:pass@`). */
export function serviceUrl(gateway: { gateway: { adminUrl: string } }, path = '/eureka/apps/', credentials = ''): string {
  return gateway.gateway.adminUrl.replace('http://', `http://${credentials}`) + path;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export function startEurekaClient(t: Teardown, options: EurekaClientOptions): EurekaClientProcess {
  const config = {
    instance: {
      hostName: '127.0.0.1', ipAddr: '127.0.0.1', vipAddress: options.instance.app,
      dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
      ...options.instance,
    },
    eureka: {
      serviceUrls: { default: [options.serviceUrl] },
      heartbeatInterval: options.heartbeatInterval ?? 500,
      registryFetchInterval: options.registryFetchInterval ?? 500,
      fetchRegistry: options.fetchRegistry ?? true,
      maxRetries: 1,
      requestRetryDelay: 100,
    },
    shouldUseDelta: options.shouldUseDelta ?? false,
  };
  const child = fork(SCRIPT, [JSON.stringify(config)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const events: string[] = [];
  const logs: string[] = [];
  const waiters = new Set<() => void>();
  const answers = new Map<number, (instances: EurekaClient.EurekaInstanceConfig[]) => void>();
  let nextId = 1;
  child.on('message', (message: { event: string; detail?: any }) => {
    if (message.event === 'answer') {
      answers.get(message.detail.id)?.(message.detail.instances);
      answers.delete(message.detail.id);
      return;
    }
    if (message.event === 'log') logs.push(message.detail);
    else events.push(message.event);
    for (const waiter of [...waiters]) waiter();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => { for (const waiter of [...waiters]) waiter(); });

  const count = (event: string) => events.filter((e) => e === event).length;
  const waitFor = (event: string, times = 1, timeoutMs = 10_000) => new Promise<void>((resolve, reject) => {
    const check = () => {
      if (count(event) >= times) {
        cleanup();
        resolve();
      } else if (child.exitCode !== null || child.signalCode !== null) {
        cleanup();
        reject(new Error(`eureka client exited before "${event}" ×${times}; events: ${events.join(', ')}; logs: ${logs.slice(-5).join(' | ')}`));
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no "${event}" ×${times} within ${timeoutMs} ms; events: ${events.join(', ')}; logs: ${logs.slice(-5).join(' | ')}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      waiters.delete(check);
    };
    waiters.add(check);
    check();
  });
  const ask = (message: object) => new Promise<EurekaClient.EurekaInstanceConfig[]>((resolve) => {
    const id = nextId++;
    answers.set(id, resolve);
    child.send({ ...message, id });
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  const kill = async () => {
    if (alive()) child.kill('SIGKILL');
    await exited;
  };
  t.teardown(kill);
  return {
    child, events, logs, count, waitFor,
    app: (app) => ask({ cmd: 'app', app }),
    vip: (vip) => ask({ cmd: 'vip', vip }),
    async stop() {
      if (!alive()) return;
      child.send({ cmd: 'stop' });
      await exited;
    },
    kill,
  };
}
