/**
 * Child process running one real eureka-js-client (spec eureka-and-etcd.md §4), driven by the
 * test over IPC: it starts the client with the JSON config in argv[2], reports the client's
 * events ('registered', 'heartbeat', 're-register', 'registryUpdated', …) and answers cache
 * queries, so tests see exactly what an unmodified client does.
 */
import type { EventEmitter } from 'node:events';
import { Eureka } from 'eureka-js-client';

type Command = { cmd: 'stop' } | { cmd: 'app'; app: string; id: number } | { cmd: 'vip'; vip: string; id: number };

const config = JSON.parse(process.argv[2]!);
const report = (event: string, detail?: unknown) => process.send?.({ event, detail });

const forward = (level: string) => (...args: unknown[]) => {
  const text = args.map((arg) => (arg instanceof Error ? arg.message : typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');
  if (/Re-registering/.test(text)) report('re-register');
  report('log', `${level}: ${text}`);
};

const client = new Eureka({
  ...config,
  logger: { debug: () => undefined, info: forward('info'), warn: forward('warn'), error: forward('error') },
});
for (const event of ['registered', 'heartbeat', 'registryUpdated', 'deregistered']) (client as unknown as EventEmitter).on(event, () => report(event));

client.start((error: Error | null) => report(error ? 'start-failed' : 'started', error?.message));

process.on('message', (message: Command) => {
  if (message.cmd === 'stop') {
    client.stop((error: Error | null) => {
      report(error ? 'stop-failed' : 'stopped', error?.message);
      process.disconnect?.();
    });
  } else if (message.cmd === 'app') {
    report('answer', { id: message.id, instances: client.getInstancesByAppId(message.app) });
  } else if (message.cmd === 'vip') {
    report('answer', { id: message.id, instances: client.getInstancesByVipAddress(message.vip) });
  }
});
// The test process going away must not leave a client heartbeating.
process.on('disconnect', () => setTimeout(() => process.exit(0), 50).unref());
