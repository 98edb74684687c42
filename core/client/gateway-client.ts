/**
 * `labelgate/client`: a client for the gateway's Linkis API (spec/linkis.md §9, the UJES client):
 * log in by password or token, submit or execute jobs, follow them by exec ID (status, progress,
 * log, kill), read the job history; one automatic re-login on 401; failover between gateways,
 * found through `/api/rest_j/v1/gateway/heartbeat`.
 *
 *   const client = new GatewayClient({ gateways: ['http://127.0.0.1:9001'], auth: { user: 'hadoop', password } });
 *   const { execID } = await client.submit({ executionContent: { code: 'ls', runType: 'shell' }, labels: { engineType: 'shell-1' } });
 *   await client.status(execID);   // { status: 'Running' | 'Succeed' | …, execID, … }
 */
import { GatewayError } from '../errors.js';
import { userOf, type ClientAuth } from './credentials.js';
import { GatewayList, type GatewayState } from './gateway-list.js';
import { GatewayTransport, type CallOptions } from './gateway-transport.js';

export interface GatewayClientOptions {
  /** Gateway URLs (`http://host:port`; a comma-separated string works too). */
  readonly gateways: string | readonly string[];
  readonly auth: ClientAuth;
  /** Learn the other gateways from the heartbeat endpoint (default true), re-asked every `discoveryMs`. */
  readonly discovery?: boolean;
  readonly discoveryMs?: number;
  /** Per request (default 30 s). */
  readonly timeoutMs?: number;
  /** How long an unreachable gateway is set aside (default 10 s). */
  readonly cooldownMs?: number;
  /** The API version in `/api/rest_j/<version>/` (Linkis requires one: `v1`). */
  readonly version?: string;
  /** Called after every successful password login (the first, and each re-login). */
  readonly onLogin?: (gateway: string) => void;
}

/** A job as `entrance/submit` takes it (Linkis 1.x). */
export interface SubmitRequest {
  readonly executionContent: { readonly code: string; readonly runType?: string; readonly [key: string]: unknown };
  readonly labels?: Readonly<Record<string, unknown>>;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly source?: Readonly<Record<string, unknown>>;
  readonly executeUser?: string;
  readonly [key: string]: unknown;
}

/** A job as the older `entrance/execute` takes it. */
export interface ExecuteRequest {
  readonly executionCode: string;
  readonly runType: string;
  readonly executeApplicationName?: string;
  readonly [key: string]: unknown;
}

export interface JobHandle {
  readonly execID: string;
  readonly taskID: number | string;
  readonly [key: string]: unknown;
}

export type JobData = Record<string, unknown>;

/** A path segment: percent-encoded, but `:` and `@` (exec IDs hold `host:port`) kept as RFC 3986 allows. */
function segment(text: string): string {
  return encodeURIComponent(text).replace(/%3A/gi, ':').replace(/%40/g, '@');
}

const DEFAULTS = { timeoutMs: 30_000, cooldownMs: 10_000, discoveryMs: 60_000 };

export class GatewayClient {
  readonly user: string;
  private readonly gatewayList: GatewayList;
  private readonly transport: GatewayTransport;
  private readonly discovery: boolean;
  private readonly discoveryMs: number;
  private discoveredAt = 0;
  private discovering: Promise<void> | undefined;

  constructor(options: GatewayClientOptions) {
    const version = options.version ?? 'v1';
    if (!/^v\d+$/.test(version)) throw new GatewayError('LG_ERR_CLIENT_CONFIG', { reason: `version must look like v1, not "${version}"` });
    const auth = options.auth as unknown as Partial<Record<string, string>>;
    if (!(auth.user && auth.password !== undefined) && !(auth.tokenUser && auth.tokenCode)) {
      throw new GatewayError('LG_ERR_CLIENT_CONFIG', { reason: 'auth needs { user, password } or { tokenUser, tokenCode }' });
    }
    this.user = userOf(options.auth);
    this.gatewayList = new GatewayList(typeof options.gateways === 'string' ? [options.gateways] : options.gateways, options.cooldownMs ?? DEFAULTS.cooldownMs);
    this.discovery = options.discovery !== false;
    this.discoveryMs = options.discoveryMs ?? DEFAULTS.discoveryMs;
    this.transport = new GatewayTransport({
      gateways: this.gatewayList, auth: options.auth, version, timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs, ...(options.onLogin ? { onLogin: options.onLogin } : {}),
    });
  }

  /** The gateways known so far, with the ones set aside. */
  get gateways(): GatewayState[] {
    return this.gatewayList.list();
  }

  /** Logs in at the first reachable gateway now (requests otherwise log in when first needed). */
  async login(): Promise<void> {
    await this.request({ method: 'GET', path: 'user/userInfo', idempotent: true });
  }

  async logout(): Promise<void> {
    await this.transport.logout();
  }

  /** Asks a gateway for every gateway instance and adds them to the list; returns their URLs. */
  async discover(): Promise<string[]> {
    const data = await this.transport.call<{ gatewayList?: unknown }>({ method: 'GET', path: 'gateway/heartbeat', idempotent: true });
    this.discoveredAt = Date.now();
    const list = Array.isArray(data.gatewayList) ? data.gatewayList.filter((entry): entry is string => typeof entry === 'string') : [];
    return list.map((hostPort) => this.gatewayList.add(hostPort));
  }

  /** Any call of the Linkis REST API below `/api/rest_j/v1/`; resolves to the envelope's `data`. */
  async request<T = JobData>(options: CallOptions): Promise<T> {
    await this.maybeDiscover();
    return this.transport.call<T>(options);
  }

  submit(job: SubmitRequest): Promise<JobHandle> {
    return this.request<JobHandle>({ method: 'POST', path: 'entrance/submit', body: { executeUser: this.user, ...job } });
  }

  execute(job: ExecuteRequest): Promise<JobHandle> {
    return this.request<JobHandle>({ method: 'POST', path: 'entrance/execute', body: { executeApplicationName: job.runType, ...job } });
  }

  status(execID: string): Promise<JobData> {
    return this.job(execID, 'status');
  }

  progress(execID: string): Promise<JobData> {
    return this.job(execID, 'progress');
  }

  log(execID: string, range: { fromLine?: number; size?: number } = {}): Promise<JobData> {
    return this.job(execID, 'log', range);
  }

  /** Linkis kills with a GET; it is not repeated on another gateway after a lost answer. */
  kill(execID: string): Promise<JobData> {
    return this.request({ method: 'GET', path: `entrance/${segment(execID)}/kill` });
  }

  /** One job of the history, by task ID (`jobhistory/{taskID}/get`). */
  jobHistory(taskID: number | string): Promise<JobData> {
    return this.request({ method: 'GET', path: `jobhistory/${segment(String(taskID))}/get`, idempotent: true });
  }

  /** The job history (`jobhistory/list`), filtered as Linkis's query parameters say. */
  listJobs(query: Readonly<Record<string, string | number | boolean | undefined>> = {}): Promise<JobData> {
    return this.request({ method: 'GET', path: 'jobhistory/list', query, idempotent: true });
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  private job(execID: string, action: string, query: Record<string, number | undefined> = {}): Promise<JobData> {
    return this.request({ method: 'GET', path: `entrance/${segment(execID)}/${action}`, query, idempotent: true });
  }

  /** Discovery runs before the first request and then every `discoveryMs`; a failure never fails the request. */
  private async maybeDiscover(): Promise<void> {
    if (!this.discovery || Date.now() - this.discoveredAt < this.discoveryMs) return;
    this.discovering ??= this.discover().then(() => undefined, (error: unknown) => {
      this.discoveredAt = Date.now();
      if (error instanceof GatewayError && error.code === 'LG_ERR_CLIENT_LOGIN_FAILED') throw error;
    }).finally(() => (this.discovering = undefined));
    await this.discovering;
  }
}
