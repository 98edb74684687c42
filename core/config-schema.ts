/**
 * The JSON schema of gateway.yaml, with defaults. config/gateway.schema.json is generated from
 * this object (`labelgate schema > config/gateway.schema.json`) and a test fails when the two
 * drift apart. The TypeScript shape of the validated document is core/config-types.ts.
 *
 * Two custom keywords: `unit: "bytes" | "duration"` turns `64KiB` / `5s` into numbers while
 * validating, and `regex: true` checks that a string compiles as a JavaScript regex.
 */

export type JsonSchema = Record<string, unknown>;

export const size = (defaultValue: string | number): JsonSchema => ({
  type: ['integer', 'string'], unit: 'bytes', default: defaultValue,
  description: 'bytes, or a string with a unit: 512B, 64KiB, 1MiB, 1GiB',
});

export const duration = (defaultValue: string | number): JsonSchema => ({
  type: ['integer', 'string'], unit: 'duration', default: defaultValue,
  description: 'milliseconds, or a string with a unit: 250ms, 5s, 1m, 1h, 1d',
});

const strings = (defaultValue: string[] = []): JsonSchema => ({ type: 'array', items: { type: 'string' }, default: defaultValue });
const regexList = (defaultValue: string[] = []): JsonSchema => ({ type: 'array', items: { type: 'string', regex: true }, default: defaultValue });
const port = (defaultValue: number): JsonSchema => ({ type: 'integer', minimum: 0, maximum: 65535, default: defaultValue });

/** `{ use, options }`: a built-in plugin by name, or a module path relative to the config file. */
export const pluginRef: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['use'],
  properties: {
    use: { type: 'string', minLength: 1, description: 'a built-in plugin name, or a path (./x.js) relative to this file' },
    name: { type: 'string', minLength: 1, description: 'instance name, when one plugin is used twice' },
    options: { type: 'object', default: {} },
  },
};

/** A parser entry may also carry a JSON schema for the request bodies it matches. */
const parserRef: JsonSchema = {
  ...pluginRef,
  properties: {
    ...(pluginRef.properties as Record<string, JsonSchema>),
    bodySchema: {
      type: 'object',
      description: 'JSON schema (draft-07) the JSON body of every request this parser matches must pass; a failure is a 400 naming the JSON pointer',
    },
  },
};

const server: JsonSchema = {
  type: 'object', additionalProperties: false, default: {},
  properties: {
    host: { type: 'string', default: '0.0.0.0' },
    port: port(9001),
    trustedProxies: { ...strings(), description: 'IPs or CIDRs whose X-Forwarded-* headers are believed' },
    keepAliveTimeout: duration('72s'),
    requestTimeout: duration(0),
    shutdownGrace: { ...duration('30s'), description: 'on SIGTERM: how long in-flight requests may take to finish before their connections are cut' },
  },
};

const admin: JsonSchema = {
  type: 'object', additionalProperties: false, default: {},
  properties: {
    host: { type: 'string', default: '127.0.0.1' },
    port: port(9002),
    token: { type: 'string', default: '', description: 'Bearer token for /admin, /metrics and the dashboard API' },
  },
};

const staticGroup: JsonSchema = {
  type: 'object', additionalProperties: false, required: ['app', 'instances'],
  properties: {
    app: { type: 'string', minLength: 1 },
    instances: { type: 'array', items: { type: 'string', pattern: '^[^\\s/:]+:\\d{1,5}$' } },
    labels: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
  },
};

const registry: JsonSchema = {
  type: 'object', additionalProperties: false, default: {},
  properties: {
    store: { enum: ['memory', 'etcd'], default: 'memory', description: 'etcd: several gateways share registrations, labels, sessions and a pushed config' },
    etcd: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        endpoints: { ...strings(['http://127.0.0.1:2379']), description: 'client URLs of the etcd members' },
        prefix: { type: 'string', default: '/labelgate/', description: 'root of every key of this gateway cluster (one etcd can hold several)' },
        timeout: { ...duration('2s'), description: 'deadline of each etcd operation; a Eureka write that misses it answers 503' },
      },
    },
    eureka: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        leaseSeconds: { type: 'integer', minimum: 1, default: 90 },
        selfPreservation: { type: 'boolean', default: false },
        evictionInterval: duration('1s'),
        deltaRetention: { ...duration('3m'), description: 'how long /eureka/apps/delta remembers a change' },
        renewalPercentThreshold: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.85, description: 'self-preservation: evict only while renewals exceed this share of the expected ones' },
        renewalWindow: { ...duration('1m'), description: 'self-preservation: the window renewals are counted in' },
        expectedRenewInterval: { ...duration('30s'), description: 'self-preservation: how often each client is expected to renew' },
        auth: {
          type: 'object', additionalProperties: false, required: ['user', 'password'],
          properties: { user: { type: 'string', minLength: 1 }, password: { type: 'string', minLength: 1 } },
        },
      },
    },
    upstreamEureka: {
      type: 'array', default: [],
      items: {
        type: 'object', additionalProperties: false, required: ['url'],
        properties: {
          url: { type: 'string', minLength: 1 },
          interval: duration('30s'),
          announce: { type: 'boolean', default: false, description: 'register this gateway there as linkis-mg-gateway, so gateways reading it list each other in the gateway heartbeat' },
        },
      },
    },
    static: { type: 'array', items: staticGroup, default: [] },
  },
};

const security: JsonSchema = {
  type: 'object', additionalProperties: false, default: {},
  properties: {
    ipAllowList: { ...strings(), description: 'IPs or CIDRs; empty allows every client' },
    referer: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        enabled: { type: 'boolean', default: false },
        allow: { ...strings(), description: 'hosts (good.com, good.com:8080) or origins (https://good.com), compared exactly' },
      },
    },
    passThrough: { ...regexList(), description: 'anchored regexes on the normalised path that need no login' },
    cors: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        origins: { ...strings(), description: 'exact origins (https://app.example.com); empty leaves CORS to the upstreams' },
        credentials: { type: 'boolean', default: true },
        methods: strings(['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS']),
        headers: strings(['authorization', 'content-type', 'token-code', 'token-user']),
        maxAge: duration('10m'),
      },
    },
    session: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        cookie: { type: 'string', minLength: 1, default: 'linkis_user_session_ticket_id_v1' },
        ttl: duration('1h'),
        secret: { type: 'string', default: 'auto', description: '"auto" (generated once, kept in the data dir), or at least 32 characters' },
        secure: { type: 'boolean', default: false },
        maxSessions: { type: 'integer', minimum: 1, default: 100_000, description: 'live sessions kept (read at start); one more login forgets the session used longest ago' },
      },
    },
    auth: { type: 'array', items: pluginRef, default: [], description: 'auth strategies, tried in order' },
    authTimeout: { ...duration('5s'), description: 'an auth strategy that takes longer refuses the request (401)' },
  },
};

const body: JsonSchema = {
  type: 'object', additionalProperties: false, default: {},
  properties: {
    maxBytes: size('64MiB'),
    workerThreshold: size('16KiB'),
    workers: { type: 'integer', minimum: 0, default: 2, description: 'body worker threads; 0 parses every body inline' },
    timeout: { ...duration('10s'), description: 'longest a worker thread may spend on one body, from when it starts on it' },
    maxQueue: { type: 'integer', minimum: 1, default: 32, description: 'bodies that may wait for a busy worker; one more is refused with 503 and Retry-After' },
  },
};

const websocket: JsonSchema = {
  type: 'object', additionalProperties: false, default: {},
  properties: {
    prefix: { type: 'string', pattern: '^/.*/$', default: '/ws/' },
    maxMessageBytes: size('1MiB'),
    heartbeat: duration('5s'),
    maxUpstreams: { type: 'integer', minimum: 1, default: 16 },
    maxBufferedBytes: size('4MiB'),
    tunnels: { ...regexList(), description: 'anchored regexes on the handshake path proxied 1:1 instead of multiplexed' },
  },
};

const upstream: JsonSchema = {
  type: 'object', additionalProperties: false, default: {},
  properties: {
    connectTimeout: duration('5s'),
    headersTimeout: duration('30s'),
    bodyTimeout: duration('30s'),
    keepAliveTimeout: duration('4s'),
    connections: { type: 'integer', minimum: 1, default: 128 },
    tls: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        ca: { type: 'string', description: 'PEM file with the CAs to trust, relative to this file' },
        rejectUnauthorized: { type: 'boolean', default: true },
      },
    },
  },
};

export const gatewaySchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://labelgate.dev/schema/gateway.schema.json',
  title: 'labelgate gateway.yaml',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    server,
    admin,
    registry,
    dataDir: { type: 'string', default: './data', description: 'where generated secrets are kept (mode 0600), relative to this file' },
    labels: {
      type: 'object', additionalProperties: false, default: {},
      properties: { file: { type: 'string', default: './data/labels.json' } },
    },
    security,
    parsers: {
      type: 'array', items: parserRef,
      default: [{ use: 'entrance-execution' }, { use: 'entrance-request' }, { use: 'linkis-default' }],
    },
    router: { ...pluginRef, default: { use: 'label' } },
    interceptors: { type: 'array', items: pluginRef, default: [] },
    body,
    websocket,
    upstream,
    compat: {
      type: 'object', additionalProperties: false, default: {},
      properties: { routingErrorsAsHttp200: { type: 'boolean', default: false } },
    },
    reload: {
      type: 'object', additionalProperties: false, default: {},
      properties: { watch: { type: 'boolean', default: true }, debounce: duration('50ms') },
    },
    log: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
        access: { type: 'boolean', default: true, description: 'one info line per request (request id, status, duration, application, upstream); never headers or query' },
      },
    },
    metrics: {
      type: 'object', additionalProperties: false, default: {},
      properties: { enabled: { type: 'boolean', default: true, description: 'count requests and upstream attempts for /metrics' } },
    },
    tracing: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        generate: { type: 'boolean', default: false, description: 'start a W3C trace (a sampled traceparent) for requests that carry none' },
      },
    },
  },
};
