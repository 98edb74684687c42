/**
 * Access logs: one pino line per finished request when `log.access` is on (read per request,
 * so a reload switches it), at level info with `"log": "access"`:
 *
 *   {"level":30,"time":…,"name":"labelgate","log":"access","reqId":"…","traceId":"…","method":"GET",
 *    "path":"/api/rest_j/v1/jobhistory/list","status":200,"ms":1.9,"client":"10.0.0.7","user":"hadoop",
 *    "route":"rules/jobhistory","application":"linkis-ps-publicservice","upstream":"10.0.0.9:9105",
 *    "attempts":1,"msg":"request"}
 *
 * Only what the gateway decided is logged, never a header, a cookie or the query string: tokens,
 * session tickets and passwords travel there (S26).
 */
import { pino } from 'pino';
import type { Logger } from '../contracts.js';
import type { GatewayModule } from '../modules.js';
import { routeLabel, type Exchange } from './exchange.js';
import { LineBatcher, type LineSink } from './line-batcher.js';

interface PinoLike extends Logger {
  bindings(): Record<string, unknown>;
  isLevelEnabled(level: string): boolean;
  [pino.symbols.streamSym]?: LineSink;
}

/** pino's number for `info`. */
const INFO = 30;

export type AccessFields = Readonly<Record<string, string | number | undefined>>;


/**
 * Writes access lines. With the process's pino logger (the usual case) a line is built here, in
 * pino's format, straight from the exchange, and goes through a LineBatcher to pino's
 * destination: this runs once per request, and pino's generic serialiser with its redaction
 * pass (which walks every line) cost several times more. Access lines need no redaction: they
 * hold only these fields. Any other logger gets `accessFields` as an `info` call; a test keeps
 * the two in step.
 */
export class AccessWriter {
  private readonly batcher: LineBatcher | undefined;
  private readonly fallback: Logger | undefined;
  /** `,"name":"labelgate","log":"access"`: the logger's bindings, serialised once. */
  private readonly bindings: string = '';

  constructor(logger: Logger) {
    const pinoLogger = logger as Partial<PinoLike>;
    const stream = pinoLogger[pino.symbols.streamSym];
    if (stream && pinoLogger.bindings && pinoLogger.isLevelEnabled) {
      // Below `info` (log.level warn…) access lines are dropped, as pino would drop them.
      if (pinoLogger.isLevelEnabled('info')) this.batcher = new LineBatcher(stream);
      this.bindings = `,${JSON.stringify({ ...pinoLogger.bindings(), log: 'access' }).slice(1, -1)}`;
    } else {
      this.fallback = logger.child({ log: 'access' });
    }
  }

  write(exchange: Exchange): void {
    if (this.batcher) this.batcher.write(this.line(exchange));
    else this.fallback?.info(accessFields(exchange), 'request');
  }

  /**
   * The fields of `accessFields`, in its order. Values the gateway validated or generated (the
   * request id's safe charset, the hex trace id, the HTTP method token, the client IP, error
   * codes, numbers) are written as they are; names from config and registry are quoted once and
   * remembered; the path and the user are escaped when they need it.
   */
  line(x: Exchange): string {
    let line = `{"level":${INFO},"time":${Date.now()}${this.bindings},"reqId":"${x.requestId}"`;
    if (x.trace) line += `,"traceId":"${x.trace.traceId}"`;
    line += `,"method":"${x.req.method}","path":${jsonString(x.path ?? rawPath(x.req.url))},"status":${x.status},"ms":${millisText(x)}`;
    if (x.client !== undefined) line += `,"client":"${x.client}"`;
    if (x.user !== undefined) line += `,"user":${jsonString(x.user)}`;
    if (x.route !== undefined) line += `,"route":${quoted(routeLabel(x.route))}`;
    if (x.application) line += `,"application":${quoted(x.application)}`;
    if (x.upstream) line += `,"upstream":${quoted(x.upstream.hostPort)}`;
    if (x.attempts) line += `,"attempts":${x.attempts}`;
    if (x.error) line += `,"error":"${x.error}"`;
    return `${line},"msg":"request"}\n`;
  }

  flush(): void {
    this.batcher?.flush();
  }
}

/** The request target of a request refused before its path was accepted: no query, bounded. */
function rawPath(url: string | undefined): string {
  const text = url ?? '';
  const query = text.indexOf('?');
  return (query === -1 ? text : text.slice(0, query)).slice(0, 256);
}

const roundedMs = (exchange: Exchange) => Math.round(exchange.durationMs * 1000) / 1000;

/** `roundedMs` as JSON, from integers: formatting a fractional number costs several times more. */
function millisText(exchange: Exchange): string {
  const micros = Math.round(exchange.durationMs * 1000);
  const fraction = micros % 1000;
  return `${(micros - fraction) / 1000}.${fraction < 10 ? '00' : fraction < 100 ? '0' : ''}${fraction}`;
}

/** Printable ASCII but `"` and `\`: already a valid JSON string body, as paths almost always are. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

const jsonString = (value: string) => (PLAIN.test(value) ? `"${value}"` : JSON.stringify(value));

/** JSON strings of route labels, application names and `host:port`s: few, and met again and again. */
const QUOTED = new Map<string, string>();
const QUOTED_LIMIT = 10_000;

function quoted(value: string): string {
  let json = QUOTED.get(value);
  if (json === undefined) {
    if (QUOTED.size >= QUOTED_LIMIT) QUOTED.clear();
    json = JSON.stringify(value);
    QUOTED.set(value, json);
  }
  return json;
}

export function accessFields(exchange: Exchange): AccessFields {
  return {
    reqId: exchange.requestId,
    traceId: exchange.trace?.traceId,
    method: exchange.req.method,
    path: exchange.path ?? rawPath(exchange.req.url),
    status: exchange.status,
    ms: roundedMs(exchange),
    client: exchange.client,
    user: exchange.user,
    route: exchange.route === undefined ? undefined : routeLabel(exchange.route),
    application: exchange.application || undefined,
    upstream: exchange.upstream?.hostPort,
    attempts: exchange.attempts || undefined,
    error: exchange.error,
  };
}

export function accessLogModule(): GatewayModule {
  let writer: AccessWriter | undefined;
  return {
    name: 'access-log',
    setup(context) {
      const access = new AccessWriter(context.logger);
      writer = access;
      context.exchanges.observe({
        completed(exchange) {
          if (exchange.pipeline.config.log.access) access.write(exchange);
        },
      });
    },
    close() {
      writer?.flush();
    },
  };
}
