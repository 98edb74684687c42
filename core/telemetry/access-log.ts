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
 * Writes access lines. With the process's pino logger (the usual case) a line is built here in
 * pino's format, `{"level":30,"time":…,<bindings>,"log":"access",<fields>,"msg":"request"}`, and
 * goes through a LineBatcher to pino's destination: this runs once per request, and pino's
 * generic serialiser and redaction pass (which walks every line) cost more than the rest of
 * the request's telemetry. Access lines need no redaction: they hold only the fields chosen
 * in `accessFields`. Any other logger gets the fields as an `info` call.
 */
class AccessWriter {
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

  write(fields: AccessFields): void {
    if (this.batcher) this.batcher.write(this.line(fields));
    else this.fallback?.info(fields, 'request');
  }

  private line(fields: AccessFields): string {
    let line = `{"level":${INFO},"time":${Date.now()}${this.bindings}`;
    for (const key in fields) {
      const value = fields[key];
      if (value !== undefined) line += `,"${key}":${typeof value === 'number' ? value : JSON.stringify(value)}`;
    }
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

export function accessFields(exchange: Exchange): AccessFields {
  return {
    reqId: exchange.requestId,
    traceId: exchange.trace?.traceId,
    method: exchange.req.method,
    path: exchange.path ?? rawPath(exchange.req.url),
    status: exchange.status,
    ms: Math.round(exchange.durationMs * 1000) / 1000,
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
          if (exchange.pipeline.config.log.access) access.write(accessFields(exchange));
        },
      });
    },
    close() {
      writer?.flush();
    },
  };
}
