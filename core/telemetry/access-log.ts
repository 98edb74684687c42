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
  readonly level: string;
  bindings(): Record<string, unknown>;
  [pino.symbols.streamSym]?: LineSink;
}

/**
 * The access logger: a pino logger like the process's (level, bindings) writing, through a
 * LineBatcher, to the process logger's destination. It has no redaction pass: access lines
 * hold only the fields chosen above, and redaction (which walks every line) would cost more
 * than the rest of the line. A logger that is not pino gets the lines as `info` calls.
 */
function accessLogger(logger: Logger): { log: Logger; flush(): void } {
  const stream = (logger as PinoLike)[pino.symbols.streamSym];
  if (!stream) return { log: logger.child({ log: 'access' }), flush: () => {} };
  const batcher = new LineBatcher(stream);
  const base = { ...(logger as PinoLike).bindings(), log: 'access' };
  return { log: pino({ level: (logger as PinoLike).level, base }, batcher) as unknown as Logger, flush: () => batcher.flush() };
}

/** The request target of a request refused before its path was accepted: no query, bounded. */
function rawPath(url: string | undefined): string {
  const text = url ?? '';
  const query = text.indexOf('?');
  return (query === -1 ? text : text.slice(0, query)).slice(0, 256);
}

export function accessRecord(exchange: Exchange): Record<string, unknown> {
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
  let flush = () => {};
  return {
    name: 'access-log',
    setup(context) {
      const access = accessLogger(context.logger);
      flush = access.flush;
      context.exchanges.observe({
        completed(exchange) {
          if (exchange.pipeline.config.log.access) access.log.info(accessRecord(exchange), 'request');
        },
      });
    },
    close() {
      flush();
    },
  };
}
