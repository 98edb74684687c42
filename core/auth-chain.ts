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

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
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

  constructor(plugins: readonly LoadedPlugin<AuthInstance>[], private readonly timeoutMs: number, private readonly logger: Logger) {
    this.strategies = plugins.map((plugin) => ({ name: plugin.name, scheme: plugin.manifest.name, instance: plugin.instance }));
  }

  hasScheme(scheme: string): boolean {
    return this.strategies.some((strategy) => strategy.scheme === scheme);
  }

  /** The first strategy's principal for credentials the request carries (optionally of one scheme only). */
  async authenticate(request: AuthRequest, scheme?: string): Promise<Principal | undefined> {
    for (const strategy of this.strategies) {
      if (scheme !== undefined && strategy.scheme !== scheme) continue;
      const { instance } = strategy;
      if (instance.authenticate) {
        const principal = await this.guard(strategy, () => instance.authenticate!(request));
        if (principal) return this.checked(strategy, principal);
      }
      if (instance.getUser) {
        const user = await this.guard(strategy, () => instance.getUser!(request));
        if (user !== undefined) return this.checked(strategy, this.fromSso(user));
      }
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

  private async guard<T>(strategy: AuthStrategy, call: () => T | Promise<T>): Promise<T> {
    try {
      const result = call();
      return isThenable(result) ? await withTimeout(result, this.timeoutMs) : result;
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      this.logger.error({ err: error, strategy: strategy.name }, 'auth strategy failed; request refused');
      throw new GatewayError('LG_ERR_AUTH_PLUGIN_FAILED', {}, { cause: error });
    }
  }
}
