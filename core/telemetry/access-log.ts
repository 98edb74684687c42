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
import type { Logger } from '../contracts.js';
import type { GatewayModule } from '../modules.js';
import { routeLabel, type Exchange } from './exchange.js';

interface PinoLikeLogger {
  child(bindings: Record<string, unknown>, options?: { redact?: readonly string[] }): Logger;
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
  return {
    name: 'access-log',
    setup(context) {
      // Access lines hold only the fields chosen above, so they skip the redaction pass of the
      // process logger (core/logger.ts), which walks every line and would cost more than all the
      // rest of the line. pino takes this option on child loggers; other loggers ignore it.
      const log = (context.logger as PinoLikeLogger).child({ log: 'access' }, { redact: [] });
      context.exchanges.observe({
        completed(exchange) {
          if (exchange.pipeline.config.log.access) log.info(accessRecord(exchange), 'request');
        },
      });
    },
  };
}
