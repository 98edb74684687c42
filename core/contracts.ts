/**
 * Plugin contracts. A plugin is one module whose default export is a manifest: its kind, name,
 * version, priority, a JSON schema for its options, and `create(options, kit)`. The loader
 * (core/plugin-loader.ts) validates the manifest and the options; a bad one is a coded config
 * error, never skipped.
 *
 * Four kinds, in the order a request meets them:
 *
 *   auth ──► parser ──► router ──► interceptors ──► forward
 *   (who)    (which     (which       (retry, …)       (undici)
 *             app)       instance)
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { JsonSchema } from './config-schema.js';
import type { InstanceView, RegistrySnapshot, RegistryView } from './registry/snapshot.js';

export type { JsonSchema } from './config-schema.js';
export type { InstanceView, RegistrySnapshot, RegistryView } from './registry/snapshot.js';

export type PluginKind = 'parser' | 'router' | 'auth' | 'interceptor';

export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** What the core hands every plugin when it is created. */
export interface PluginKit {
  /** Directory of the config file; relative paths in options are resolved against it. */
  readonly configDir: string;
  resolvePath(relative: string): string;
  readonly logger: Logger;
  /** The live registry: read `snapshot()` per request, it never does I/O. */
  readonly registry: RegistryView;
  /** Shared services (session store, label store, …) that later parts of the core provide. */
  readonly services: Readonly<Record<string, unknown>>;
  /** Ask hot reload to watch one more file (a rules file, a key file) for this plugin. */
  watch(file: string): void;
}

export interface PluginManifest<Kind extends PluginKind, Instance, Options = any> {
  readonly kind: Kind;
  /** Equal to the file name for path plugins; the `use:` name for built-ins. */
  readonly name: string;
  readonly version: string;
  /** Higher runs first (interceptors: outermost); ties are broken by name. */
  readonly priority: number;
  readonly optionsSchema: JsonSchema;
  readonly description?: string;
  create(options: Options, kit: PluginKit): Instance | Promise<Instance>;
}

/** Every plugin instance may hold resources; `close` runs after the last request using it ends. */
export interface Closable {
  close?(): void | Promise<void>;
}

// ─── parsers ────────────────────────────────────────────────────────────────────────────────

/**
 * A regex a parser answers for. Patterns match the whole normalised path (`^` and `$` are
 * implied, as in Linkis). Patterns of all non-fallback parsers are proven disjoint at load time.
 */
export interface ParserPattern {
  readonly name: string;
  readonly source: string;
  /** Only `i` is allowed. */
  readonly flags?: string;
  /** HTTP methods (RFC 9110 tokens, compared upper-cased as requests are); absent means every method. */
  readonly methods?: readonly string[];
  /** Skip the disjointness proof for a regex the prover cannot analyse. */
  readonly unproven?: boolean;
  /** JSON pointer inside the plugin's options, so errors can name the line. */
  readonly pointer?: string;
}

/** Routing facts read from a JSON request body (all a parser may use from it). */
export interface BodyFacts {
  readonly labels?: Readonly<Record<string, string>>;
}

export interface ParseRequest {
  readonly method: string;
  /** The normalised path (core/path.ts). */
  readonly path: string;
  /** Raw query string without `?`. */
  readonly queryString: string;
  /** Parsed query, built on first use. */
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Present when this parser's `needsBody` said so and the request had a JSON body. */
  readonly body?: BodyFacts;
}

export interface PatternMatch {
  readonly pattern: ParserPattern;
  /** Positional captures; index 0 is the whole path. */
  readonly captures: readonly (string | undefined)[];
  readonly groups: Readonly<Record<string, string | undefined>>;
}

/** What a parser decides: the application, and optionally a pinned instance and route labels. */
export interface ParseTarget {
  readonly application: string;
  /** `host:port` when the request is pinned to one instance (exec IDs, `?instance=`). */
  readonly instance?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface ParserInstance extends Closable {
  readonly patterns: readonly ParserPattern[];
  /** Whether the body's routing facts are needed for this match; they are read before `parse`. */
  needsBody?(request: ParseRequest, match: PatternMatch): boolean;
  /** Throws a GatewayError for requests it matched but cannot accept (bad version, bad exec ID). */
  parse(request: ParseRequest, match: PatternMatch): ParseTarget;
}

export interface ParserManifest<Options = any> extends PluginManifest<'parser', ParserInstance, Options> {
  /** Fallback parsers are tried, in config order, only when no other parser matched. */
  readonly fallback?: boolean;
}

// ─── routers ────────────────────────────────────────────────────────────────────────────────

export interface RouteContext {
  readonly snapshot: RegistrySnapshot;
  readonly method: string;
  readonly path: string;
}

/** The instances a request may go to, best first; `start` rotates the list for balancing. */
export interface RouteChoice {
  readonly application: string;
  readonly candidates: readonly InstanceView[];
  readonly start: number;
  /** Why these candidates (for `explain`); computed once per route table, not per request. */
  readonly reason: string;
}

export interface RouterInstance extends Closable {
  /** Throws a GatewayError (10050, 10051, 11010, 11011, 11012) when no instance qualifies. */
  route(target: ParseTarget, context: RouteContext): RouteChoice;
}

export type RouterManifest<Options = any> = PluginManifest<'router', RouterInstance, Options>;

/** The instance for attempt `n` (0 = first choice), walking the rotated candidate list. */
export function instanceAt(choice: RouteChoice, attempt: number): InstanceView {
  const { candidates } = choice;
  return candidates[(choice.start + attempt) % candidates.length]!;
}

// ─── auth ───────────────────────────────────────────────────────────────────────────────────
//
// An auth plugin is a *scheme* (its manifest name: token, session, password, oidc, …); each
// configured entry of `security.auth` is a *strategy* (its `name:`, or the scheme). The gateway
// tries strategies in the declared order after the deny lists (IP allow list, referer) passed.
// A strategy supplies any of these capabilities:
//
//   authenticate(request)  credentials carried by the request (headers, cookies, bearer JWT)
//   getUser(request)       cookie-based SSO: the user the SSO system vouches for (Linkis SSOInterceptor)
//   login(credentials, …)  a user name and password posted to /api/rest_j/v1/user/login
//   redirectTo(url)        where a browser without a session signs in (sent as data.SSOURL on 401)
//   logout(request)        ends the SSO side's session when the user logs out of the gateway
//
// Each returns `undefined` for "not mine, try the next strategy". A strategy that throws a
// GatewayError refuses the request with that error; anything else it throws, or not settling
// within `security.authTimeout`, refuses it with 401 (fail closed, S25).

export interface AuthRequest {
  readonly method: string;
  /** The normalised path: the one routing uses and the upstream receives. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** Parsed Cookie header, built on first use. */
  readonly cookies: Readonly<Record<string, string>>;
  /** Client IP from the socket and `server.trustedProxies` (never a raw header). */
  readonly clientIp: string;
  /** The URL the client asked for (scheme and host from trusted proxies only), for SSO redirects. */
  readonly requestUrl: string;
}

export interface Principal {
  /** Printable, at most 256 characters, no control characters (checked by the gateway: S21). */
  readonly user: string;
  readonly admin: boolean;
  /** Name of the strategy that accepted the request. */
  readonly via: string;
  /**
   * The gateway session ticket this principal was read from (set by the session scheme only).
   * The upstream receives it as the ticket cookie; without one the gateway mints a ticket.
   */
  readonly ticket?: string;
}

/** What an SSO `getUser` may return: a user name, or a name with the admin flag. */
export type SsoUser = string | { readonly user: string; readonly admin?: boolean };

export interface LoginCredentials {
  readonly userName: string;
  readonly password: string;
}

type Maybe<T> = T | undefined | Promise<T | undefined>;

export interface AuthInstance extends Closable {
  /** Credentials this request carries; `undefined` when it carries none of this kind. */
  authenticate?(request: AuthRequest): Maybe<Principal>;
  /** Cookie-based SSO: the user the SSO system knows for this request. */
  getUser?(request: AuthRequest): Maybe<SsoUser>;
  /** Password login; `undefined` when the user is not one of this strategy's. */
  login?(credentials: LoginCredentials, request: AuthRequest): Maybe<Principal>;
  /** SSO: the sign-in URL for a browser that asked for `requestUrl` without a session. */
  redirectTo?(requestUrl: string): string | undefined;
  /** Called by /api/rest_j/v1/user/logout (errors are logged, never shown). */
  logout?(request: AuthRequest, principal: Principal | undefined): void | Promise<void>;
}

export type AuthManifest<Options = any> = PluginManifest<'auth', AuthInstance, Options>;

/**
 * Sessions, offered to plugins as `kit.services.sessions` on a running gateway (absent in
 * `labelgate check`). Tickets are secrets: never log or echo them.
 */
export interface SessionService {
  /** Starts a session and returns its ticket (the cookie value). */
  issue(principal: Omit<Principal, 'ticket'>): Promise<string>;
  /**
   * The principal of a live session (idle TTL, refreshed past half of it), else `undefined`;
   * given at once when the session store is in this process, so `await` the result.
   */
  verify(ticket: string): Principal | undefined | Promise<Principal | undefined>;
  revoke(ticket: string): Promise<void>;
  /** The ticket cookie's name (`security.session.cookie`). */
  readonly cookieName: string;
}

// ─── interceptors ───────────────────────────────────────────────────────────────────────────

export interface ProxyRequest {
  readonly method: string;
  /** Normalised path plus query, exactly as sent upstream. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string | string[]>>;
  /** Null for requests without a body; a Buffer when the body was read for routing. */
  readonly body: Readable | Buffer | null;
  /** False once any byte of a streamed body was consumed: such a request cannot be re-sent. */
  replayable(): boolean;
}

export interface ForwardCall {
  readonly request: ProxyRequest;
  readonly choice: RouteChoice;
  /** 0 for the first try; `instanceAt(choice, attempt)` is the instance this call goes to. */
  readonly attempt: number;
  /** Where the upstream's answer is streamed to. */
  readonly response: ServerResponse;
}

/** Sends the request and streams the answer to the client; rejects with a GatewayError. */
export type Forward = (call: ForwardCall) => Promise<void>;

export interface InterceptorInstance extends Closable {
  wrap(next: Forward): Forward;
}

export type InterceptorManifest<Options = any> = PluginManifest<'interceptor', InterceptorInstance, Options>;

export type AnyManifest = ParserManifest | RouterManifest | AuthManifest | InterceptorManifest;

// Typed helpers for plugin authors: `export default defineParser({ … })`.
export const defineParser = <O>(manifest: ParserManifest<O>): ParserManifest<O> => manifest;
export const defineRouter = <O>(manifest: RouterManifest<O>): RouterManifest<O> => manifest;
export const defineAuth = <O>(manifest: AuthManifest<O>): AuthManifest<O> => manifest;
export const defineInterceptor = <O>(manifest: InterceptorManifest<O>): InterceptorManifest<O> => manifest;
