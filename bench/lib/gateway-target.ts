/**
 * A labelgate gateway process for benchmarks (gateway-process.js), started from a config text in
 * a temporary directory of its own, which goes when the gateway stops.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNode } from './processes.js';

const GATEWAY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'gateway-process.js');

export interface GatewayProcess {
  /** The public and the admin listener, http://127.0.0.1:port. */
  readonly gateway: string;
  readonly admin: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** A config routing `application` to the one upstream, with no login needed on the `passThrough` paths. */
export function singleUpstreamConfig(application: string, upstreamUrl: string, passThrough: string, access = false): string {
  return `server: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
labels: { file: ./labels.json }
dataDir: ./data
registry:
  static:
    - { app: ${application}, instances: ["${new URL(upstreamUrl).host}"] }
security: { passThrough: ["${passThrough}"] }
log: { level: ${access ? 'info' : 'warn'}, access: ${access} }
`;
}

/** Starts a gateway on `yaml`, pinned to `core`. */
export async function startGatewayProcess(yaml: string, core = 0): Promise<GatewayProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), 'labelgate-bench-'));
  const removeDir = () => rm(dir, { recursive: true, force: true });
  try {
    await writeFile(path.join(dir, 'gateway.yaml'), yaml);
    const started = await startNode(GATEWAY, [path.join(dir, 'gateway.yaml')], core);
    const urls = JSON.parse(started.url) as { gateway: string; admin: string };
    return { ...urls, pid: started.child.pid, stop: () => started.stop().finally(removeDir) };
  } catch (error) {
    await removeDir();
    throw error;
  }
}
