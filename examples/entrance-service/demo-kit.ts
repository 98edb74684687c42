/**
 * What `npm run demo` needs besides its script: a gateway in this process, example entrance
 * processes registered with it, and requests that print where they went. A request that does
 * not go where the script says it should is counted, and the demo exits 1 (the test runs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { Gateway } from '../../core/gateway.js';
import { createLogger } from '../../core/logger.js';
import { DemoSocket } from './demo-socket.js';
import { WS_PATH } from './ws-api.js';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.js');

export const DEMO_CONFIG = `# The demo's gateway.yaml: loopback only; entrance requests need no login in this demo.
server: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
labels: { file: ./labels.json }
registry: { eureka: { evictionInterval: 1s } }
security: { passThrough: ["^/api/rest_j/v1/entrance/", "^/ws/api/entrance/"] }
router: { use: label, options: { serverList: [linkis-cg-entrance] } }
log: { level: warn }
`;

export interface Entrance {
  readonly name: string;
  readonly instance: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export interface Outcome {
  readonly status: number;
  /** The entrance that answered, by demo name, or the gateway's error code. */
  readonly where: string;
  readonly json: any;
}

export class DemoKit {
  failures = 0;
  private readonly names = new Map<string, string>();

  private constructor(readonly gateway: Gateway, private readonly dir: string, private readonly out: (line: string) => void) {}

  static async start(out: (line: string) => void): Promise<DemoKit> {
    const dir = await mkdtemp(path.join(tmpdir(), 'labelgate-demo-'));
    await writeFile(path.join(dir, 'gateway.yaml'), DEMO_CONFIG);
    const gateway = await Gateway.start({ configFile: path.join(dir, 'gateway.yaml'), watch: false, logger: createLogger('warn') });
    return new DemoKit(gateway, dir, out);
  }

  /** Starts an example entrance process and waits until the gateway can route to it. */
  async entrance(name: string, route: string | undefined): Promise<Entrance> {
    const args = [MAIN, '--eureka', `${this.gateway.adminUrl}/eureka/`, '--heartbeat', '2s', '--lease', '6', '--exit-with-stdin', ...(route ? ['--route', route] : [])];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const instance = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const match = /READY http:\/\/(\S+)/.exec(text);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`entrance ${name} exited with ${code} before it was ready`)));
    });
    this.names.set(instance, name);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return {
      name, instance, child,
      stop: async () => {
        if (child.exitCode === null) child.kill('SIGTERM');
        await exited;
      },
    };
  }

  /** One WebSocket connection to the gateway's multiplexer. */
  socket(): Promise<DemoSocket> {
    return DemoSocket.open(this.gateway.url.replace(/^http/, 'ws') + WS_PATH, (instance) => this.names.get(instance) ?? instance, this.out, () => this.failures++);
  }

  say(text: string): void {
    this.out(text);
  }

  /** Sends a request through the gateway, prints it and where it went, checks the expectation. */
  async send(method: string, target: string, body: unknown, expected: string): Promise<Outcome> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const response = await request(this.gateway.url + target, { method: method as 'GET', headers: payload ? { 'content-type': 'application/json' } : {}, ...(payload ? { body: payload } : {}) });
    const json = await response.body.json() as any;
    const served = response.headers['x-served-by'] as string | undefined;
    const where = served ? this.names.get(served) ?? served : String(json?.data?.code ?? `HTTP ${response.statusCode}`);
    const detail = served ? `${where} (${served})${facts(json.data, target)}` : `${where}: ${String(json.message).slice(0, 100)}`;
    const ok = where === expected;
    if (!ok) this.failures++;
    this.out(`   ${method.padEnd(4)} ${shorten(target)}${describe(body)}\n        → ${response.statusCode} ${detail}${ok ? '' : `   UNEXPECTED: expected ${expected}`}`);
    return { status: response.statusCode, where, json };
  }

  async close(entrances: readonly Entrance[]): Promise<void> {
    await Promise.all(entrances.map((entrance) => entrance.stop()));
    await this.gateway.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The part of a job body that routing looks at. */
function describe(body: unknown): string {
  if (body === undefined) return '';
  const route = (body as { labels?: { route?: string } }).labels?.route;
  return route === undefined ? '  (no route label)' : `  labels.route=${route}`;
}

/** What the entrance said that the reader cares about. */
function facts(data: Record<string, unknown>, target: string): string {
  const shown: string[] = [];
  if (data.execID && target.endsWith('/submit')) shown.push(`execID=${String(data.execID)}`);
  for (const key of ['status', 'isOnline', 'route']) if (data[key] !== undefined && data[key] !== null) shown.push(`${key}=${String(data[key])}`);
  return shown.length > 0 ? ` ${shown.join(' ')}` : '';
}

function shorten(target: string): string {
  return target.length > 110 ? `${target.slice(0, 60)}…${target.slice(-45)}` : target;
}
