/**
 * One client request, end to end (spec/linkis.md §9):
 *
 *   for each gateway (current first, GatewayList)
 *     password auth and no session there yet → POST user/login, keep its cookie for that gateway
 *     send → 401 → log in again, once, and resend → 401 again: LG_ERR_CLIENT_NOT_LOGGED_IN
 *     not reached (refused, unresolvable) → set it aside, next gateway
 *     reached but no answer (reset, timeout) → next gateway only for idempotent requests
 *   envelope status 0 → its `data`; another status → LG_ERR_CLIENT_REQUEST_FAILED
 */
import { Agent, type Dispatcher } from 'undici';
import { GatewayError } from '../errors.js';
import { CookieJar, isPasswordAuth, type ClientAuth, type PasswordAuth } from './credentials.js';
import type { GatewayList } from './gateway-list.js';

export interface CallOptions {
  readonly method: 'GET' | 'POST';
  /** Below `/api/rest_j/<version>/`, e.g. `entrance/submit`. */
  readonly path: string;
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Safe to send again to another gateway after it may have been received. */
  readonly idempotent?: boolean;
}

export interface TransportSettings {
  readonly gateways: GatewayList;
  readonly auth: ClientAuth;
  readonly version: string;
  readonly timeoutMs: number;
  readonly onLogin?: (gateway: string) => void;
}

interface Answer {
  readonly httpStatus: number;
  readonly text: string;
  readonly envelope: { status?: unknown; message?: unknown; data?: unknown } | undefined;
}

const NOT_REACHED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const BODY_IN_ERRORS = 1000;

function parseEnvelope(text: string): Answer['envelope'] {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Answer['envelope']) : undefined;
  } catch {
    return undefined;
  }
}

function unauthorised(answer: Answer): boolean {
  return answer.httpStatus === 401 || answer.envelope?.status === -1;
}

export class GatewayTransport {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 16 });
  private readonly jars = new Map<string, CookieJar>();
  private readonly logins = new Map<string, Promise<void>>();

  constructor(private readonly settings: TransportSettings) {}

  async call<T = Record<string, unknown>>(options: CallOptions): Promise<T> {
    const tried: string[] = [];
    for (const gateway of this.settings.gateways.candidates()) {
      try {
        const data = await this.callOn(gateway, options);
        this.settings.gateways.succeeded(gateway);
        return data as T;
      } catch (error) {
        const sent = error instanceof GatewayError ? (error.data.sent as boolean | undefined) : undefined;
        if (sent === undefined || (sent === true && !options.idempotent)) throw error;
        this.settings.gateways.failed(gateway);
        tried.push(`${gateway}: ${(error as Error).message}`);
      }
    }
    throw new GatewayError('LG_ERR_CLIENT_NO_GATEWAY', { method: options.method, path: options.path, reason: tried.join('; ') });
  }

  /** Logs in at one gateway (coalesced with a login already running there). */
  login(gateway: string): Promise<void> {
    let running = this.logins.get(gateway);
    if (!running) {
      running = this.doLogin(gateway).finally(() => this.logins.delete(gateway));
      this.logins.set(gateway, running);
    }
    return running;
  }

  /** Ends the sessions at every gateway that has one. */
  async logout(): Promise<void> {
    await Promise.allSettled([...this.jars].filter(([, jar]) => !jar.empty).map(([gateway]) => this.send(gateway, { method: 'GET', path: 'user/logout' })));
    this.jars.clear();
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private jar(gateway: string): CookieJar {
    let jar = this.jars.get(gateway);
    if (!jar) this.jars.set(gateway, (jar = new CookieJar()));
    return jar;
  }

  private async callOn(gateway: string, options: CallOptions): Promise<unknown> {
    const password = isPasswordAuth(this.settings.auth);
    if (password && this.jar(gateway).empty) await this.login(gateway);
    let answer = await this.send(gateway, options);
    if (unauthorised(answer) && password) {
      this.jar(gateway).clear();
      await this.login(gateway);
      answer = await this.send(gateway, options);
    }
    if (unauthorised(answer)) throw new GatewayError('LG_ERR_CLIENT_NOT_LOGGED_IN', { reason: String(answer.envelope?.message ?? answer.text.slice(0, BODY_IN_ERRORS)) });
    return this.dataOf(gateway, options.path, answer);
  }

  private async doLogin(gateway: string): Promise<void> {
    const auth = this.settings.auth as PasswordAuth;
    const answer = await this.send(gateway, { method: 'POST', path: 'user/login', body: { userName: auth.user, password: auth.password } });
    if (answer.envelope?.status !== 0) {
      throw new GatewayError('LG_ERR_CLIENT_LOGIN_FAILED', { user: auth.user, gateway, reason: String(answer.envelope?.message ?? `HTTP ${answer.httpStatus}`) }, { data: { httpStatus: answer.httpStatus } });
    }
    if (this.jar(gateway).empty) throw new GatewayError('LG_ERR_CLIENT_LOGIN_FAILED', { user: auth.user, gateway, reason: 'the gateway set no session cookie' });
    this.settings.onLogin?.(gateway);
  }

  private dataOf(gateway: string, path: string, answer: Answer): unknown {
    const { envelope } = answer;
    if (envelope?.status === 0) return envelope.data ?? {};
    const data = (typeof envelope?.data === 'object' && envelope.data !== null ? envelope.data : {}) as Record<string, unknown>;
    throw new GatewayError('LG_ERR_CLIENT_REQUEST_FAILED', { url: `${gateway}${this.prefix()}${path}`, body: answer.text.slice(0, BODY_IN_ERRORS) }, {
      data: { httpStatus: answer.httpStatus, status: envelope?.status, message: envelope?.message, errCode: data.errCode, code: data.code },
    });
  }

  private prefix(): string {
    return `/api/rest_j/${this.settings.version}/`;
  }

  /** One HTTP exchange; failures carry `data.sent` (false: the gateway was not reached). */
  private async send(gateway: string, options: CallOptions): Promise<Answer> {
    const url = new URL(`${this.prefix()}${options.path}`, gateway);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const cookie = this.jar(gateway).header();
    if (cookie) headers.cookie = cookie;
    const { auth } = this.settings;
    if (!isPasswordAuth(auth)) Object.assign(headers, { 'Token-User': auth.tokenUser, 'Token-Code': auth.tokenCode });
    const timeout = this.settings.timeoutMs;
    let response: Dispatcher.ResponseData;
    try {
      response = await this.agent.request({
        origin: url.origin, path: url.pathname + url.search, method: options.method, headers,
        body: options.body === undefined ? null : JSON.stringify(options.body), headersTimeout: timeout, bodyTimeout: timeout,
      });
    } catch (error) {
      throw this.failure(error, options, url);
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw this.failure(error, options, url);
    }
    this.jar(gateway).absorb(response.headers['set-cookie']);
    return { httpStatus: response.statusCode, text, envelope: parseEnvelope(text) };
  }

  private failure(error: unknown, options: CallOptions, url: URL): GatewayError {
    const code = (error as { code?: string }).code ?? '';
    if (TIMEOUTS.has(code)) return new GatewayError('LG_ERR_CLIENT_TIMEOUT', { method: options.method, url: url.origin + url.pathname, timeout: this.settings.timeoutMs }, { cause: error, data: { sent: true } });
    const reason = NOT_REACHED.has(code) ? `cannot connect (${code})` : `the connection failed (${code || (error as Error).message})`;
    return new GatewayError('LG_ERR_CLIENT_NO_GATEWAY', { method: options.method, path: options.path, reason }, { cause: error, data: { sent: !NOT_REACHED.has(code) } });
  }
}
