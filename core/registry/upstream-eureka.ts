/**
 * Reads another Eureka server (`registry.upstreamEureka`) the way the Java client does: one full
 * fetch, then `apps/delta` every `interval`, applied by instance id; when the hash of what we
 * hold differs from the delta's `apps__hashcode` (or the delta fails) the next poll is full.
 * The instances become the composer source `upstream:<url>`, merged with registered and static
 * ones. A failing upstream keeps its last known instances and is retried; it never blocks start.
 */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { request } from 'undici';
import type { Logger } from '../contracts.js';
import { parseRegistration } from './eureka-codec.js';
import type { EurekaRecord } from './eureka-record.js';
import { appsHashcode } from './eureka-output.js';
import { instanceView } from './instance-views.js';
import type { InstanceView } from './snapshot.js';
import { instanceKey } from './store.js';

const gunzipAsync = promisify(gunzip);

export interface UpstreamSource {
  readonly url: string;
  readonly interval: number;
}

interface RawApplications {
  applications?: { apps__hashcode?: string; application?: RawApp | RawApp[] };
}
interface RawApp {
  name?: string;
  instance?: RawInstance | RawInstance[];
}
type RawInstance = Record<string, unknown> & { app?: string; actionType?: string };

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** `http://u:p@host/eureka` → the base URL without credentials, and a Basic header for them. */
export function splitCredentials(url: string): { base: string; authorization?: string } {
  const parsed = new URL(url.endsWith('/') ? url : `${url}/`);
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  if (user === '') return { base: parsed.toString() };
  return { base: parsed.toString(), authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

export class UpstreamEureka {
  readonly name: string;
  private readonly base: string;
  private readonly authorization: string | undefined;
  private readonly records = new Map<string, EurekaRecord>();
  private needsFull = true;
  private polling = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly source: UpstreamSource, private readonly publish: (instances: InstanceView[]) => void, private readonly logger: Logger) {
    const { base, authorization } = splitCredentials(source.url);
    this.base = base;
    this.authorization = authorization;
    this.name = `upstream:${base}`;
  }

  start(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.source.interval);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  /** One fetch: full the first time and after any doubt, delta otherwise. */
  async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      if (this.needsFull) await this.fetchFull();
      else await this.fetchDelta();
    } catch (error) {
      this.needsFull = true;
      this.logger.warn({ upstream: this.base, err: error }, 'upstream Eureka fetch failed; keeping its last known instances');
    } finally {
      this.polling = false;
    }
  }

  private async fetchFull(): Promise<void> {
    const body = await this.get('apps/');
    this.records.clear();
    for (const raw of this.instancesOf(body)) this.put(raw);
    this.needsFull = false;
    this.emit();
  }

  private async fetchDelta(): Promise<void> {
    const body = await this.get('apps/delta');
    for (const raw of this.instancesOf(body)) {
      if (raw.actionType === 'DELETED') this.records.delete(instanceKey(String(raw.app ?? ''), String(raw.instanceId ?? raw.hostName ?? '')));
      else this.put(raw);
    }
    const expected = body.applications?.apps__hashcode;
    if (expected !== undefined && expected !== appsHashcode([...this.records.values()].map((record) => record.status))) {
      this.logger.info({ upstream: this.base }, 'upstream Eureka delta hash differs; the next fetch is full');
      this.needsFull = true;
    }
    this.emit();
  }

  private instancesOf(body: RawApplications): RawInstance[] {
    return asArray(body.applications?.application).flatMap((app) => asArray(app.instance));
  }

  private put(raw: RawInstance): void {
    try {
      const record = parseRegistration({ instance: raw }, String(raw.app ?? ''), { leaseSeconds: 90 }, Date.now());
      this.records.set(instanceKey(record.app, record.instanceId), record);
    } catch (error) {
      this.logger.warn({ upstream: this.base, err: error }, 'skipping an upstream Eureka instance that cannot be routed to');
    }
  }

  private emit(): void {
    if (!this.closed) this.publish([...this.records.values()].map((record) => instanceView(record, 'upstream')));
  }

  private async get(path: string): Promise<RawApplications> {
    const timeout = Math.min(this.source.interval, 10_000);
    const headers: Record<string, string> = { accept: 'application/json', 'accept-encoding': 'gzip' };
    if (this.authorization) headers.authorization = this.authorization;
    const response = await request(new URL(path, this.base), { headers, headersTimeout: timeout, bodyTimeout: timeout });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    if (response.statusCode !== 200) throw new Error(`GET ${path} answered ${response.statusCode}`);
    const text = response.headers['content-encoding'] === 'gzip' ? (await gunzipAsync(bytes)).toString('utf8') : bytes.toString('utf8');
    return JSON.parse(text) as RawApplications;
  }
}
