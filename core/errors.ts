/**
 * The error registry: every error labelgate can produce is declared here once, with its stable
 * code, the Linkis numeric code where one exists, the HTTP status and the envelope status.
 * Callers and tests branch on `code`, never on the message text. The README's error table is
 * kept in step with this object by test/core/errors.test.ts.
 */

/** Envelope status values (spec/linkis.md §6.1): -1 not logged in, 1 error, 2 validation, 3 forbidden. */
export type EnvelopeStatus = -1 | 0 | 1 | 2 | 3 | 4;

export interface ErrorDefinition {
  readonly httpStatus: number;
  readonly envelopeStatus: EnvelopeStatus;
  /** Linkis's numeric code, kept in the message (`errCode: N ,desc: …`) for Linkis clients. */
  readonly linkisCode?: number;
  /** Message template; `{name}` is replaced by the parameter of that name. */
  readonly message: string;
  /** Parse and route errors: answered with HTTP 200 when `compat.routingErrorsAsHttp200` is on. */
  readonly routing?: boolean;
}

const NOT_LOGGED_IN = 'You are not logged in, please login first(您尚未登录，请先登录)!';

export const ERRORS = {
  // Request paths (core/path.ts), spec/security-cases.md S8–S15, S20.
  LG_ERR_PATH_ABSOLUTE_FORM: { httpStatus: 400, envelopeStatus: 1, message: 'Absolute-form and asterisk request targets are not accepted' },
  LG_ERR_PATH_ENCODED_SEPARATOR: { httpStatus: 400, envelopeStatus: 1, message: 'Encoded "/" or "\\" in the request path is not accepted' },
  LG_ERR_PATH_ENCODED_DOT_SEGMENT: { httpStatus: 400, envelopeStatus: 1, message: 'Encoded dot segments in the request path are not accepted' },
  LG_ERR_PATH_TRAVERSAL: { httpStatus: 400, envelopeStatus: 1, message: 'The request path climbs above the root' },
  LG_ERR_PATH_FORBIDDEN_CHARACTER: { httpStatus: 400, envelopeStatus: 1, message: 'The request path contains a backslash, NUL or control character' },
  LG_ERR_PATH_BAD_ENCODING: { httpStatus: 400, envelopeStatus: 1, message: 'The request path contains an invalid percent-encoding' },

  // Parsing (plugins/parsers/*), spec/linkis.md §2.
  LG_ERR_PARSE_NO_SERVICE: { httpStatus: 404, envelopeStatus: 1, routing: true, message: 'Cannot find a service to deal {path}, ignore it.' },
  LG_ERR_PARSE_UNSUPPORTED_VERSION: { httpStatus: 400, envelopeStatus: 1, routing: true, message: 'The gateway{expected} not support version {version}.' },
  LG_ERR_PARSE_BAD_EXEC_ID: { httpStatus: 400, envelopeStatus: 1, routing: true, message: 'Cannot decode the exec ID {execId}: {reason}' },

  // Request bodies (core/body-*.ts), spec/security-cases.md S18, S19.
  LG_ERR_BODY_TOO_LARGE: { httpStatus: 413, envelopeStatus: 1, message: 'The request body is larger than {limit} bytes' },
  LG_ERR_BODY_MALFORMED_JSON: { httpStatus: 400, envelopeStatus: 1, message: 'The request body is not valid JSON at byte {position} (line {line}, column {column}): {reason}' },
  LG_ERR_BODY_DUPLICATE_KEY: { httpStatus: 400, envelopeStatus: 1, message: 'The request body repeats the key {pointer}; the gateway and the backend could read different values' },
  LG_ERR_BODY_SCHEMA: { httpStatus: 400, envelopeStatus: 1, message: 'The request body does not match its schema at "{pointer}": {reason}' },
  LG_ERR_BODY_MEDIA_TYPE: { httpStatus: 415, envelopeStatus: 1, message: 'A request body checked against a schema needs one Content-Type: application/json (UTF-8) header; this request has {reason}' },
  LG_ERR_BODY_READ: { httpStatus: 400, envelopeStatus: 1, message: 'The request body could not be read' },
  LG_ERR_BODY_WORKER_FAILED: { httpStatus: 500, envelopeStatus: 1, message: 'The request body could not be parsed: its worker thread failed' },
  LG_ERR_BODY_WORKER_TIMEOUT: { httpStatus: 500, envelopeStatus: 1, message: 'The request body could not be parsed within {timeout} ms' },
  LG_ERR_BODY_QUEUE_FULL: { httpStatus: 503, envelopeStatus: 1, message: 'The body workers are busy and {limit} bodies already wait for them; retry in {retryAfter} s' },

  // Routing (plugins/routers/*), spec/linkis.md §4 and design §3.5.
  LG_ERR_ROUTE_NO_APPLICATION: { httpStatus: 404, envelopeStatus: 1, routing: true, linkisCode: 10050, message: 'Application {application} does not exist any instances(应用程序 {application} 不存在任何实例)' },
  LG_ERR_ROUTE_INSTANCE_NOT_FOUND: { httpStatus: 503, envelopeStatus: 1, routing: true, linkisCode: 10051, message: 'The instance:{instance} of application {application} does not exist' },
  LG_ERR_ROUTE_AMBIGUOUS_SERVICE: { httpStatus: 409, envelopeStatus: 1, routing: true, linkisCode: 11010, message: 'Cannot find a correct serviceId for parsedServiceId:{application}, service list are:{services}' },
  LG_ERR_ROUTE_NO_LABELLED_INSTANCE: { httpStatus: 503, envelopeStatus: 1, routing: true, linkisCode: 11011, message: 'Cannot route to the corresponding service, URL:{path} RouteLabel:{labels}' },
  LG_ERR_ROUTE_NO_LIVE_INSTANCE: { httpStatus: 503, envelopeStatus: 1, routing: true, linkisCode: 11012, message: 'Cannot find an instance in the routing chain of serviceId:{application} , please retry' },

  // Forwarding (core/http-forwarder.ts).
  LG_ERR_UPSTREAM_CONNECT: { httpStatus: 502, envelopeStatus: 1, message: 'Cannot connect to {instance} of {application}' },
  LG_ERR_UPSTREAM_CONNECT_TIMEOUT: { httpStatus: 504, envelopeStatus: 1, message: 'Connecting to {instance} of {application} timed out' },
  LG_ERR_UPSTREAM_HEADERS_TIMEOUT: { httpStatus: 504, envelopeStatus: 1, message: '{instance} of {application} did not answer in time' },
  LG_ERR_UPSTREAM_RESET: { httpStatus: 502, envelopeStatus: 1, message: 'The connection to {instance} of {application} failed before it answered' },
  LG_ERR_HEADER_INJECTION: { httpStatus: 400, envelopeStatus: 1, message: 'A header value for the upstream contains CR, LF or NUL' },

  // WebSocket (core/ws-*.ts).
  LG_ERR_WS_NOT_FOUND: { httpStatus: 404, envelopeStatus: 1, message: 'No WebSocket endpoint at {path}' },
  LG_ERR_WS_BAD_FRAME: { httpStatus: 400, envelopeStatus: 1, message: 'A frame must be a JSON object with a string "method": {reason}' },
  LG_ERR_WS_LOCAL_ENDPOINT: { httpStatus: 400, envelopeStatus: 1, message: '{path} is answered by the gateway itself, over HTTP; a frame cannot reach it' },
  LG_ERR_WS_BINARY_FRAME: { httpStatus: 400, envelopeStatus: 1, message: 'Binary frames are not accepted on a multiplexed connection; send JSON text' },
  LG_ERR_WS_TOO_MANY_UPSTREAMS: { httpStatus: 429, envelopeStatus: 1, message: 'This connection already talks to {limit} instances' },
  LG_ERR_WS_UPSTREAM_CONNECT: { httpStatus: 502, envelopeStatus: 1, message: 'Cannot open a WebSocket to {instance} of {application}' },
  LG_ERR_WS_UPSTREAM_CLOSED: { httpStatus: 502, envelopeStatus: 1, message: 'The WebSocket to {instance} of {application} closed ({closeCode}); the next message reconnects' },
  LG_ERR_WS_UPSTREAM_BUSY: { httpStatus: 503, envelopeStatus: 1, message: 'The WebSocket to {instance} of {application} is not keeping up; message not sent' },

  // Security (core/security.ts, plugins/auth/*).
  LG_ERR_AUTH_REQUIRED: { httpStatus: 401, envelopeStatus: -1, message: NOT_LOGGED_IN },
  LG_ERR_AUTH_PLUGIN_FAILED: { httpStatus: 401, envelopeStatus: -1, message: NOT_LOGGED_IN },
  LG_ERR_ADMIN_REQUIRED: { httpStatus: 403, envelopeStatus: 3, message: 'Only admin users may use {path}' },
  LG_ERR_IP_NOT_ALLOWED: { httpStatus: 403, envelopeStatus: 3, message: '{ip} is not in whitelist' },
  LG_ERR_REFERER_NOT_ALLOWED: { httpStatus: 412, envelopeStatus: 2, message: 'Unallowed cross-site request(不允许的跨站请求)！' },
  LG_ERR_REFERER_MISSING: { httpStatus: 412, envelopeStatus: 2, message: 'referer为空,不能继续访问' },
  LG_ERR_REFERER_BAD_METHOD: { httpStatus: 412, envelopeStatus: 2, message: 'Do not use HTTP verbs to tamper with(不可使用HTTP动词篡改)！' },

  // Login and the other Linkis user endpoints (core/user-endpoints.ts), spec/linkis.md §1.4.
  LG_ERR_USER_UNKNOWN_URI: { httpStatus: 400, envelopeStatus: 1, message: 'unknown request URI {path}' },
  LG_ERR_USER_NOT_LOGGED_IN: { httpStatus: 400, envelopeStatus: 1, message: `login failed! reason: NonLoginException: errCode: 11002 ,desc: ${NOT_LOGGED_IN}` },
  LG_ERR_LOGIN_USER_EMPTY: { httpStatus: 400, envelopeStatus: 1, message: 'Username can not be empty(用户名不能为空)！' },
  LG_ERR_LOGIN_PASSWORD_EMPTY: { httpStatus: 400, envelopeStatus: 1, message: 'Password can not be blank(密码不能为空)！' },
  LG_ERR_LOGIN_FAILED: { httpStatus: 401, envelopeStatus: -1, message: 'wrong user name or password(用户名或密码错误)！' },
  LG_ERR_LOGIN_THROTTLED: { httpStatus: 429, envelopeStatus: 1, message: 'Too many failed logins, try again in {seconds} s' },
  LG_ERR_LOGIN_METHOD: { httpStatus: 400, envelopeStatus: 1, message: 'Only support method POST' },

  // Token auth (plugins/auth/token.ts), spec/linkis.md §1.5. A token code is never part of a message.
  LG_ERR_TOKEN_DISABLED: { httpStatus: 401, envelopeStatus: -1, message: 'Gateway未启用token认证，请采用其他认证方式!' },
  LG_ERR_TOKEN_MISSING: { httpStatus: 401, envelopeStatus: -1, message: '请在Header或Cookie中同时指定Token-Code 和 Token-User，以便完成token认证！' },
  LG_ERR_TOKEN_UNKNOWN: { httpStatus: 401, envelopeStatus: -1, linkisCode: 15206, message: 'Token Authentication Failed, tokenUser: {user}, reason: Failed to query token data(Token 数据查询失败), Caused by: TokenNotExistException: errCode: 15204 ,desc: Invalid Token(数据库中未配置的无效令牌)' },
  LG_ERR_TOKEN_STALE: { httpStatus: 401, envelopeStatus: -1, linkisCode: 15201, message: 'Token Authentication Failed, tokenUser: {user}, reason: Token is not valid or stale(令牌已过期)!' },
  LG_ERR_TOKEN_ILLEGAL_USER: { httpStatus: 401, envelopeStatus: -1, linkisCode: 15202, message: 'Token Authentication Failed, tokenUser: {user}, reason: Illegal TokenUser for Token(Token非法用户: {user})!' },
  LG_ERR_TOKEN_ILLEGAL_HOST: { httpStatus: 401, envelopeStatus: -1, linkisCode: 15203, message: 'Token Authentication Failed, tokenUser: {user}, reason: Illegal Host for Token(非法ip: {ip})!' },

  // Admin listener.
  LG_ERR_ADMIN_NOT_FOUND: { httpStatus: 404, envelopeStatus: 1, message: 'No admin endpoint at {path}' },
  LG_ERR_ADMIN_BAD_REQUEST: { httpStatus: 400, envelopeStatus: 1, message: '{reason}' },

  LG_ERR_METHOD_NOT_ALLOWED: { httpStatus: 405, envelopeStatus: 1, message: '{method} is not supported on {path} (use {allowed})' },

  // The registry (core/registry/*): the embedded Eureka API, the store and instance labels.
  LG_ERR_EUREKA_BAD_REGISTRATION: { httpStatus: 400, envelopeStatus: 1, message: 'Invalid Eureka registration: {reason}' },
  LG_ERR_EUREKA_UNKNOWN_INSTANCE: { httpStatus: 404, envelopeStatus: 1, message: 'No instance {id} of application {app} is registered' },
  LG_ERR_EUREKA_UNKNOWN_APPLICATION: { httpStatus: 404, envelopeStatus: 1, message: 'No application {app} is registered' },
  LG_ERR_EUREKA_REREGISTER: { httpStatus: 404, envelopeStatus: 1, message: 'Instance {id} of application {app} must register again: {reason}' },
  LG_ERR_EUREKA_BAD_STATUS: { httpStatus: 400, envelopeStatus: 1, message: 'Unknown instance status "{value}"; use UP, DOWN, STARTING, OUT_OF_SERVICE or UNKNOWN' },
  LG_ERR_EUREKA_AUTH_REQUIRED: { httpStatus: 401, envelopeStatus: -1, message: 'The Eureka API needs the HTTP Basic credentials of registry.eureka.auth' },
  LG_ERR_REGISTRY_UNAVAILABLE: { httpStatus: 503, envelopeStatus: 1, message: 'The registry store is unavailable: {reason}' },
  LG_ERR_REGISTRY_LABELS_FILE: { httpStatus: 500, envelopeStatus: 1, message: 'Cannot use the labels file {file}: {reason}' },
  LG_ERR_SESSION_STORE_UNAVAILABLE: { httpStatus: 503, envelopeStatus: 1, message: 'The session store is unavailable: {reason}' },

  // Several gateways on one etcd (core/etcd/*, `labelgate config push`).
  LG_ERR_ETCD_UNAVAILABLE: { httpStatus: 503, envelopeStatus: 1, message: '{reason}' },
  LG_ERR_CONFIG_PUSH_CONFLICT: { httpStatus: 409, envelopeStatus: 1, message: 'The pushed gateway.yaml changed at revision {current} while this push expected {expected}: push again on top of it' },
  LG_ERR_LABEL_INVALID: { httpStatus: 400, envelopeStatus: 1, message: 'Invalid label {key}={value}: {reason}' },
  LG_ERR_LABEL_BAD_REQUEST: { httpStatus: 400, envelopeStatus: 1, message: '{reason}' },
  LG_ERR_LABEL_NOT_FOUND: { httpStatus: 404, envelopeStatus: 1, message: 'Instance {instance} of {app} has no labels' },

  // The RPC SDK (core/rpc/*, spec/linkis.md §8): answered by receivers, thrown by senders.
  LG_ERR_RPC_BAD_REQUEST: { httpStatus: 400, envelopeStatus: 1, message: 'Not an RPC request: {reason}' },
  LG_ERR_RPC_UNKNOWN_TYPE: { httpStatus: 400, envelopeStatus: 1, message: 'Unknown RPC message type "{type}"' },
  LG_ERR_RPC_INVALID_MESSAGE: { httpStatus: 400, envelopeStatus: 1, message: 'Invalid {type} message: {reason}' },
  LG_ERR_RPC_TIMEOUT_NOT_SET: { httpStatus: 400, envelopeStatus: 1, linkisCode: 10002, message: 'The timeout period is not set!' },
  LG_ERR_RPC_NO_RECEIVER: { httpStatus: 404, envelopeStatus: 1, linkisCode: 10000, message: 'The service does not exist for the available Receiver.' },
  LG_ERR_RPC_QUEUE_FULL: { httpStatus: 503, envelopeStatus: 1, linkisCode: 15555, message: 'Async RPC Consumer Queue is full, please retry after some times.' },
  LG_ERR_RPC_RECEIVER_FAILED: { httpStatus: 500, envelopeStatus: 1, message: 'The receiver failed on {type}: {reason}' },
  LG_ERR_RPC_TIMEOUT: { httpStatus: 504, envelopeStatus: 1, message: 'No answer to {type} from {target} within {timeout} ms' },
  LG_ERR_RPC_CONNECT: { httpStatus: 502, envelopeStatus: 1, message: 'Cannot connect to {instance} of {application}' },
  LG_ERR_RPC_CONNECTION_LOST: { httpStatus: 502, envelopeStatus: 1, message: 'The connection to {instance} of {application} failed before it answered' },
  LG_ERR_RPC_NO_INSTANCE: { httpStatus: 503, envelopeStatus: 1, message: 'No live instance of {application} is registered' },
  LG_ERR_RPC_UNEXPECTED_REPLY: { httpStatus: 502, envelopeStatus: 1, message: 'Expected a {expected} answer from {target}, got {got}' },
  LG_ERR_RPC_REMOTE: { httpStatus: 502, envelopeStatus: 1, message: 'errCode: {errCode} ,desc: {desc}' },
  LG_ERR_RPC_REMOTE_FAILED: { httpStatus: 502, envelopeStatus: 1, linkisCode: 10005, message: '{target} answered {reason}' },
  LG_ERR_RPC_BROADCAST_FAILED: { httpStatus: 502, envelopeStatus: 1, message: '{failed} of {total} instances did not take the broadcast {type}' },
  LG_ERR_RPC_DELIVER_QUEUE_FULL: { httpStatus: 503, envelopeStatus: 1, message: 'The deliver queue already holds {limit} messages' },
  LG_ERR_RPC_CLOSED: { httpStatus: 503, envelopeStatus: 1, message: 'The RPC node of {application} is closed' },
  LG_ERR_RPC_BAD_DEFINITION: { httpStatus: 500, envelopeStatus: 1, message: 'Cannot define the RPC message type "{type}": {reason}' },
  LG_ERR_RPC_EUREKA: { httpStatus: 502, envelopeStatus: 1, message: 'Eureka at {url} refused {action}: {reason}' },

  // The gateway client SDK (core/client/*, spec/linkis.md §9).
  LG_ERR_CLIENT_CONFIG: { httpStatus: 500, envelopeStatus: 1, linkisCode: 10901, message: 'ClientConfig: {reason}' },
  LG_ERR_CLIENT_LOGIN_FAILED: { httpStatus: 401, envelopeStatus: -1, message: 'Login as {user} at {gateway} failed: {reason}' },
  LG_ERR_CLIENT_NOT_LOGGED_IN: { httpStatus: 401, envelopeStatus: -1, message: 'The user is not logged in, please log in first, you can set a retry, message: {reason}' },
  LG_ERR_CLIENT_REQUEST_FAILED: { httpStatus: 400, envelopeStatus: 1, message: 'URL {url} request failed! ResponseBody is {body}.' },
  LG_ERR_CLIENT_NO_GATEWAY: { httpStatus: 503, envelopeStatus: 1, message: 'No gateway answered {method} {path}: {reason}' },
  LG_ERR_CLIENT_TIMEOUT: { httpStatus: 504, envelopeStatus: 1, message: '{method} {url} did not answer within {timeout} ms' },

  // Configuration (core/config-*.ts, core/pipeline.ts); reported as FILE:LINE:COL CODE message.
  LG_ERR_CONFIG_FILE: { httpStatus: 500, envelopeStatus: 1, message: 'Cannot read the config file {file}: {reason}' },
  LG_ERR_CONFIG_YAML: { httpStatus: 500, envelopeStatus: 1, message: 'Invalid YAML: {reason}' },
  LG_ERR_CONFIG_YAML_VARIABLE_IN_FLOW: { httpStatus: 500, envelopeStatus: 1, message: 'Invalid YAML: ${{name}} inside { … } or [ … ] is read as YAML braces, not as a variable: quote it ("${{name}}") or write that collection in block style (one key per line)' },
  LG_ERR_CONFIG_ENV_MISSING: { httpStatus: 500, envelopeStatus: 1, message: 'Environment variable {name} is not set (write ${{name}:-default} to give a default)' },
  LG_ERR_CONFIG_SCHEMA: { httpStatus: 500, envelopeStatus: 1, message: '{reason}' },
  LG_ERR_CONFIG_PLUGIN_NOT_FOUND: { httpStatus: 500, envelopeStatus: 1, message: 'No {kind} plugin named {name}: {reason}' },
  LG_ERR_CONFIG_PLUGIN_MANIFEST: { httpStatus: 500, envelopeStatus: 1, message: 'The plugin {name} has a bad manifest: {reason}' },
  LG_ERR_CONFIG_PLUGIN_OPTIONS: { httpStatus: 500, envelopeStatus: 1, message: 'Bad options for the {kind} plugin {name}: {reason}' },
  LG_ERR_CONFIG_PLUGIN_CREATE: { httpStatus: 500, envelopeStatus: 1, message: 'The {kind} plugin {name} failed to start: {reason}' },
  LG_ERR_CONFIG_BODY_SCHEMA: { httpStatus: 500, envelopeStatus: 1, message: 'The bodySchema of parser {name} does not compile: {reason}' },
  LG_ERR_CONFIG_REGEX_INVALID: { httpStatus: 500, envelopeStatus: 1, message: 'The regex of {rule} does not compile: {reason}' },
  LG_ERR_CONFIG_REGEX_UNPROVABLE: { httpStatus: 500, envelopeStatus: 1, message: 'The regex of {rule} cannot be analysed ({reason}); rewrite it or mark the rule "unproven: true"' },
  LG_ERR_CONFIG_METHOD_INVALID: { httpStatus: 500, envelopeStatus: 1, message: 'The methods of {rule} include {method}, which is not an HTTP method (RFC 9110 token: letters, digits and !#$%&\'*+-.^_`|~)' },
  LG_ERR_CONFIG_FALLBACK_DUPLICATE: { httpStatus: 500, envelopeStatus: 1, message: 'Parsers {first} and {second} are both fallback parsers; a config may have at most one (a fallback parser is not proven disjoint from the others)' },
  LG_ERR_CONFIG_RULES_OVERLAP: { httpStatus: 500, envelopeStatus: 1, message: 'Rules {first} and {second} can match the same URI, e.g. {sample}' },
  LG_ERR_CONFIG_INVALID: { httpStatus: 500, envelopeStatus: 1, message: '{reason}' },
  LG_ERR_CONFIG_SESSION_SECRET: { httpStatus: 500, envelopeStatus: 1, message: 'security.session.secret must be "auto" or at least 32 characters long (it has {length})' },
  LG_ERR_CONFIG_SESSION_SECRET_SHARED: { httpStatus: 500, envelopeStatus: 1, message: 'With registry.store: etcd, gateways share sessions: set security.session.secret to one value of at least 32 characters on every gateway, not "auto"' },
  LG_ERR_CONFIG_ADMIN_EXPOSED: { httpStatus: 500, envelopeStatus: 1, message: 'The admin listener binds to {host}, off loopback, so {reason}' },
  LG_ERR_CONFIG_DATA_DIR: { httpStatus: 500, envelopeStatus: 1, message: 'Cannot keep {file} in the data dir: {reason}' },

  LG_ERR_INTERNAL: { httpStatus: 500, envelopeStatus: 1, message: 'Internal gateway error' },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERRORS;

/**
 * Config warnings: the config loads, but something in it is weaker than it looks. `labelgate
 * check` lists them as `FILE:LINE:COL CODE message`, `start` and reloads log them, and
 * /admin/config shows them. Kept in step with the README's warning table by test/core/errors.test.ts.
 */
export const WARNINGS = {
  LG_WARN_CONFIG_UNPROVEN: { message: 'The rule {rule} is not proven disjoint from the other rules: its regex cannot be analysed ({reason}); a request it matches may match another rule too, and the first in config order wins' },
} as const satisfies Record<string, { readonly message: string }>;

export type WarningCode = keyof typeof WARNINGS;

export type ErrorParams = Readonly<Record<string, string | number | undefined>>;

export interface GatewayErrorOptions {
  cause?: unknown;
  /** Extra fields for the envelope's `data` (never secrets). */
  data?: Record<string, unknown>;
  /** JSON pointer into the config document, for config errors. */
  pointer?: string;
}

function render(template: string, params: ErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

export function warningMessage(code: WarningCode, params: ErrorParams = {}): string {
  return render(WARNINGS[code].message, params);
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly envelopeStatus: EnvelopeStatus;
  readonly linkisCode: number | undefined;
  readonly routing: boolean;
  readonly data: Record<string, unknown>;
  pointer: string | undefined;

  constructor(code: ErrorCode, params: ErrorParams = {}, options: GatewayErrorOptions = {}) {
    const definition: ErrorDefinition = ERRORS[code];
    const text = render(definition.message, params);
    const message = definition.linkisCode === undefined ? text : `errCode: ${definition.linkisCode} ,desc: ${text}`;
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.httpStatus = definition.httpStatus;
    this.envelopeStatus = definition.envelopeStatus;
    this.linkisCode = definition.linkisCode;
    this.routing = definition.routing === true;
    this.data = options.data ?? {};
    this.pointer = options.pointer;
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}

/** Wraps anything thrown into a GatewayError, keeping the original as `cause`. */
export function asGatewayError(value: unknown, fallback: ErrorCode = 'LG_ERR_INTERNAL'): GatewayError {
  if (value instanceof GatewayError) return value;
  return new GatewayError(fallback, {}, { cause: value });
}
