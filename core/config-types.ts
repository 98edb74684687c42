/**
 * The validated gateway.yaml, after defaults are filled and units are turned into numbers
 * (sizes in bytes, durations in milliseconds). Mirrors core/config-schema.ts.
 */

export interface PluginRef {
  readonly use: string;
  readonly name?: string;
  readonly options: Readonly<Record<string, unknown>>;
}

export interface ParserRef extends PluginRef {
  /** JSON schema for the bodies of requests this parser matches (core/body-stage.ts). */
  readonly bodySchema?: Readonly<Record<string, unknown>>;
}

export interface StaticGroup {
  readonly app: string;
  readonly instances: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

export interface GatewayConfig {
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly trustedProxies: readonly string[];
    readonly keepAliveTimeout: number;
    readonly requestTimeout: number;
    readonly shutdownGrace: number;
  };
  readonly admin: { readonly host: string; readonly port: number; readonly token: string };
  readonly registry: {
    readonly store: 'memory' | 'etcd';
    readonly etcd: { readonly endpoints: readonly string[]; readonly prefix: string; readonly timeout: number };
    readonly eureka: {
      readonly leaseSeconds: number;
      readonly selfPreservation: boolean;
      readonly evictionInterval: number;
      readonly deltaRetention: number;
      readonly renewalPercentThreshold: number;
      readonly renewalWindow: number;
      readonly expectedRenewInterval: number;
      readonly auth?: { readonly user: string; readonly password: string };
    };
    readonly upstreamEureka: readonly { readonly url: string; readonly interval: number; readonly announce: boolean }[];
    readonly static: readonly StaticGroup[];
  };
  /** Relative to the config file. */
  readonly dataDir: string;
  readonly labels: { readonly file: string };
  readonly security: {
    readonly ipAllowList: readonly string[];
    readonly referer: { readonly enabled: boolean; readonly allow: readonly string[] };
    readonly passThrough: readonly string[];
    readonly cors: {
      readonly origins: readonly string[];
      readonly credentials: boolean;
      readonly methods: readonly string[];
      readonly headers: readonly string[];
      readonly maxAge: number;
    };
    readonly session: { readonly cookie: string; readonly ttl: number; readonly secret: string; readonly secure: boolean; readonly maxSessions: number };
    readonly auth: readonly PluginRef[];
    readonly authTimeout: number;
  };
  readonly parsers: readonly ParserRef[];
  readonly router: PluginRef;
  readonly interceptors: readonly PluginRef[];
  readonly body: { readonly maxBytes: number; readonly workerThreshold: number; readonly workers: number; readonly timeout: number; readonly maxQueue: number };
  readonly websocket: {
    readonly prefix: string;
    readonly maxMessageBytes: number;
    readonly heartbeat: number;
    readonly maxUpstreams: number;
    readonly maxBufferedBytes: number;
    readonly tunnels: readonly string[];
  };
  readonly upstream: {
    readonly connectTimeout: number;
    readonly headersTimeout: number;
    readonly bodyTimeout: number;
    readonly keepAliveTimeout: number;
    readonly connections: number;
    readonly tls: { readonly ca?: string; readonly rejectUnauthorized: boolean };
  };
  readonly compat: { readonly routingErrorsAsHttp200: boolean };
  readonly reload: { readonly watch: boolean; readonly debounce: number };
  readonly log: { readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'; readonly access: boolean };
  readonly metrics: { readonly enabled: boolean };
  readonly tracing: { readonly generate: boolean };
}
