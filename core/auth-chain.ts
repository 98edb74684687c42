/**
 * The auth strategies of one config version, tried in the declared order (core/contracts.ts
 * explains the capabilities). Every call into a plugin is guarded:
 *
 *   GatewayError thrown      → that refusal, as is (token 152xx, wrong password, 429 …)
 *   anything else thrown     → logged, 401 LG_ERR_AUTH_PLUGIN_FAILED (fail closed, S25)
 *   not settled in time      → the same (`security.authTimeout`)
 *   a principal returned     → checked: a user name that could inject a header is refused (S21)
 */
import type { AuthInstance, AuthRequest, LoginCredentials, Logger, Principal, SsoUser } from './contracts.js';
import { GatewayError } from './errors.js';
import type { LoadedPlugin } from './plugin-loader.js';

export interface AuthStrategy {
  /** The `name:` of the entry, or its scheme. */
  readonly name: string;
  /** The plugin's manifest name (token, session, password, oidc, or a custom one). */
  readonly scheme: string;
  readonly instance: AuthInstance;
}

/** Printable latin-1, no control characters, no surrounding blanks: safe in a header and a ticket. */
const USER_NAME = /^[\x21-\x7e\u00a1-\u00ff](?:[\x20-\x7e\u00a0-\u00ff]{0,254}[\x21-\x7e\u00a1-\u00ff])?$/;
const TICKET = /^[A-Za-z0-9+/]{1,2048}={0,2}$/;

export function isValidUserName(user: unknown): user is string {
  return typeof user === 'string' && USER_NAME.test(user);
}

class AuthTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'AuthTimeout';
  }
}

export function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}

/** A value or its promise: strategies that answer at once (token, a memory session) cost no promise. */
export type MaybePromise<T> = T | Promise<T>;

/** One call the chain makes for a request: a strategy's `authenticate` or its `getUser`. */
interface Attempt {
  readonly strategy: AuthStrategy;
  call(request: AuthRequest): unknown;
  /** The principal for what the call answered, or undefined when it found no credentials. */
  accept(answer: unknown): Principal | undefined;
}

/** One timer and one promise per call: this runs on every request that has a session. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new AuthTimeout(ms)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export class AuthChain {
  readonly strategies: readonly AuthStrategy[];

  /** Built once per config version: the calls `authenticate` makes, in order. */
  private readonly attempts: readonly Attempt[];
  /** Whether a `session` strategy is configured (asked on every pass-through request). */
  readonly hasSession: boolean;

  constructor(plugins: readonly LoadedPlugin<AuthInstance>[], private readonly timeoutMs: number, private readonly logger: Logger) {
    this.strategies = plugins.map((plugin) => ({ name: plugin.name, scheme: plugin.manifest.name, instance: plugin.instance }));
    this.hasSession = this.hasScheme('session');
    this.attempts = this.strategies.flatMap((strategy) => {
      const { authenticate, getUser } = strategy.instance;
      const attempts: Attempt[] = [];
      if (authenticate) {
        attempts.push({
          strategy,
          call: (request) => authenticate.call(strategy.instance, request),
          accept: (principal) => (principal ? this.checked(strategy, principal as Principal) : undefined),
        });
      }
      if (getUser) {
        attempts.push({
          strategy,
          call: (request) => getUser.call(strategy.instance, request),
          accept: (user) => (user !== undefined ? this.checked(strategy, this.fromSso(user as SsoUser)) : undefined),
        });
      }
      return attempts;
    });
  }

  hasScheme(scheme: string): boolean {
    return this.strategies.some((strategy) => strategy.scheme === scheme);
  }

  /**
   * The first strategy's principal for credentials the request carries (optionally of one scheme
   * only). Answers at once while every strategy asked answers at once; a refusal may be thrown
   * synchronously then, so callers `await` inside a try.
   */
  authenticate(request: AuthRequest, scheme?: string): MaybePromise<Principal | undefined> {
    return this.attemptFrom(0, request, scheme);
  }

  private attemptFrom(first: number, request: AuthRequest, scheme: string | undefined): MaybePromise<Principal | undefined> {
    for (let index = first; index < this.attempts.length; index++) {
      const attempt = this.attempts[index]!;
      if (scheme !== undefined && attempt.strategy.scheme !== scheme) continue;
      const answer = this.guard(attempt.strategy, () => attempt.call(request));
      if (isThenable(answer)) {
        return answer.then((settled) => attempt.accept(settled) ?? this.attemptFrom(index + 1, request, scheme));
      }
      const principal = attempt.accept(answer);
      if (principal) return principal;
    }
    return undefined;
  }

  async login(credentials: LoginCredentials, request: AuthRequest): Promise<Principal | undefined> {
    for (const strategy of this.strategies) {
      if (!strategy.instance.login) continue;
      const principal = await this.guard(strategy, () => strategy.instance.login!(credentials, request));
      if (principal) return this.checked(strategy, principal);
    }
    return undefined;
  }

  /** The sign-in URL of the first SSO strategy that offers one. */
  redirectTo(requestUrl: string): string | undefined {
    for (const strategy of this.strategies) {
      if (!strategy.instance.redirectTo) continue;
      try {
        const url = strategy.instance.redirectTo(requestUrl);
        if (url) return url;
      } catch (error) {
        this.logger.error({ err: error, strategy: strategy.name }, 'auth strategy redirectTo failed');
      }
    }
    return undefined;
  }

  /** Tells every strategy with a `logout` hook; a failing hook is logged and does not stop the others. */
  async logout(request: AuthRequest, principal: Principal | undefined): Promise<void> {
    for (const strategy of this.strategies) {
      if (!strategy.instance.logout) continue;
      try {
        await this.guard(strategy, () => strategy.instance.logout!(request, principal));
      } catch (error) {
        if (error instanceof GatewayError) this.logger.warn({ code: error.code, strategy: strategy.name }, 'auth strategy logout refused');
      }
    }
  }

  private fromSso(user: SsoUser): Principal {
    return typeof user === 'string' ? { user, admin: false, via: '' } : { user: user.user, admin: user.admin === true, via: '' };
  }

  private checked(strategy: AuthStrategy, principal: Principal): Principal {
    if (!isValidUserName(principal.user)) {
      this.logger.warn({ strategy: strategy.name }, 'auth strategy returned a user name that is empty, too long or has control characters; request refused');
      throw new GatewayError('LG_ERR_AUTH_PLUGIN_FAILED');
    }
    const ticket = typeof principal.ticket === 'string' && TICKET.test(principal.ticket) ? principal.ticket : undefined;
    return { user: principal.user, admin: principal.admin === true, via: strategy.name, ...(ticket ? { ticket } : {}) };
  }

  /** Calls into a plugin: a GatewayError passes as is; anything else, or no answer in time, is a 401 (fail closed). */
  private guard<T>(strategy: AuthStrategy, call: () => T | Promise<T>): MaybePromise<T> {
    let result: T | Promise<T>;
    try {
      result = call();
    } catch (error) {
      throw this.refusal(strategy, error);
    }
    if (!isThenable(result)) return result;
    return withTimeout(result, this.timeoutMs).catch((error: unknown) => {
      throw this.refusal(strategy, error);
    });
  }

  private refusal(strategy: AuthStrategy, error: unknown): GatewayError {
    if (error instanceof GatewayError) return error;
    this.logger.error({ err: error, strategy: strategy.name }, 'auth strategy failed; request refused');
    return new GatewayError('LG_ERR_AUTH_PLUGIN_FAILED', {}, { cause: error });
  }
}
