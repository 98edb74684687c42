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
  /** Upper-case HTTP methods; absent means every method. */
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

export interface AuthRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** Parsed Cookie header, built on first use. */
  readonly cookies: Readonly<Record<string, string>>;
  /** Client IP from the socket and `server.trustedProxies` (never a raw header). */
  readonly clientIp: string;
}

export interface Principal {
  readonly user: string;
  readonly admin: boolean;
  /** Name of the auth plugin instance that accepted the request. */
  readonly via: string;
}

export interface AuthInstance extends Closable {
  /**
   * `undefined`: this request carries no credentials of this kind, try the next plugin.
   * A Principal: accepted. Throw a GatewayError (401) for credentials that are present but bad.
   */
  authenticate(request: AuthRequest): Principal | undefined | Promise<Principal | undefined>;
}

export type AuthManifest<Options = any> = PluginManifest<'auth', AuthInstance, Options>;

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
