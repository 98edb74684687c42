/**
 * Starts a real gateway for a test: the YAML is written to a temporary directory (so relative
 * paths and hot reload work as for users), listeners bind to 127.0.0.1 port 0, file watching is
 * off unless asked for, and everything is closed at teardown.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Gateway, type GatewayOptions } from '../../core/gateway.js';
import { createLogger } from '../../core/logger.js';
import { httpRequest, type Answer, type RequestInit } from './http.js';

export interface TestGateway {
  readonly gateway: Gateway;
  readonly dir: string;
  readonly configFile: string;
  /** Request on the public listener. */
  request(pathAndQuery: string, init?: RequestInit): Promise<Answer>;
  /** Request on the admin listener. */
  admin(pathAndQuery: string, init?: RequestInit): Promise<Answer>;
  /** Rewrites the config file (listener lines added as at start). */
  writeConfig(yaml: string): Promise<void>;
  close(): Promise<void>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** Listener settings every test config gets unless it sets its own. */
export function withTestListeners(yaml: string): string {
  const lines: string[] = [];
  if (!/^server:/m.test(yaml)) lines.push('server: { host: 127.0.0.1, port: 0 }');
  if (!/^admin:/m.test(yaml)) lines.push('admin: { host: 127.0.0.1, port: 0 }');
  if (!/^labels:/m.test(yaml)) lines.push('labels: { file: ./data/labels.json }');
  return `${lines.join('\n')}\n${yaml}`;
}

/** Temporary directories of this test process, removed when it exits whatever the tests did. */
const tempDirs = new Set<string>();
process.once('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

export async function makeTempDir(prefix = 'labelgate-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export async function startGateway(t: Teardown, yaml: string, options: Partial<GatewayOptions> & { files?: Record<string, string> } = {}): Promise<TestGateway> {
  const dir = await makeTempDir();
  const configFile = path.join(dir, 'gateway.yaml');
  for (const [name, content] of Object.entries(options.files ?? {})) {
    await writeFile(path.join(dir, name), content);
  }
  await writeFile(configFile, withTestListeners(yaml));
  const gateway = await Gateway.start({
    configFile,
    watch: false,
    logger: createLogger(process.env.LABELGATE_TEST_LOG === '1' ? 'debug' : 'silent'),
    ...options,
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  };
  t.teardown(close);
  return {
    gateway,
    dir,
    configFile,
    request: (pathAndQuery, init) => httpRequest(gateway.url + pathAndQuery, init),
    admin: (pathAndQuery, init) => httpRequest(gateway.adminUrl + pathAndQuery, init),
    writeConfig: (next) => writeFile(configFile, withTestListeners(next)),
    close,
  };
}

/** YAML for static instances: `staticRegistry({ 'linkis-ps-publicservice': [up1, up2] })`. */
export function staticRegistry(apps: Record<string, readonly { hostPort: string }[]>, labels: Record<string, Record<string, string>> = {}): string {
  const groups = Object.entries(apps).map(([app, instances]) => {
    const labelText = labels[app] ? `, labels: ${JSON.stringify(labels[app])}` : '';
    return `    - { app: ${app}, instances: [${instances.map((i) => `"${i.hostPort}"`).join(', ')}]${labelText} }`;
  });
  return `registry:\n  static:\n${groups.join('\n')}\n`;
}
