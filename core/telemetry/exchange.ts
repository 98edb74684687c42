/**
 * One request/response exchange as telemetry sees it: who asked, which route and application
 * it reached, which upstream answered, how it ended. The HTTP handler fills it in as the request
 * passes the stages (design §1); observers (metrics, the access log) read it once it is over.
 *
 *   handler: begin ─► path, client, route, application, user ─► forward ─► response closes ─► end
 *                                                  forwarder: attempt, failed ┘          observers ◄┘
 *
 * The request id and trace context are decided at `begin`, so every later stage, the upstream
 * headers and the client's response carry the same ones.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ForwardCall } from '../contracts.js';
import type { ErrorCode, GatewayError } from '../errors.js';
import type { UpstreamObserver } from '../http-forwarder.js';
import type { Pipeline } from '../pipeline.js';
import type { InstanceView } from '../registry/snapshot.js';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id.js';
import { newTrace, parseTraceparent, TRACEPARENT, TRACESTATE, type TraceContext } from './trace-context.js';

/** What a request was routed by: a parser pattern (`parser/rule`) or a local endpoint (`local/name`). */
export type RouteRef = { readonly parserName: string; readonly pattern: { readonly name: string } } | { readonly name: string };

/** HTTP status recorded when the client went away before any answer (nginx's convention). */
export const CLIENT_CLOSED_REQUEST = 499;

const routeLabels = new WeakMap<RouteRef, string>();

/** `parser/rule` or `local/name`, built once per route object. */
export function routeLabel(ref: RouteRef | undefined): string {
  if (ref === undefined) return '';
  let label = routeLabels.get(ref);
  if (label === undefined) {
    label = 'parserName' in ref ? `${ref.parserName}/${ref.pattern.name}` : `local/${ref.name}`;
    routeLabels.set(ref, label);
  }
  return label;
}

/** The request id and trace headers an upstream receives (the client's own are never copied). */
export function traceHeaders(requestId: string, trace: TraceContext | undefined): Record<string, string> {
  const headers: Record<string, string> = { [REQUEST_ID_HEADER]: requestId };
  if (trace) {
    headers[TRACEPARENT] = trace.traceparent;
    if (trace.tracestate !== undefined) headers[TRACESTATE] = trace.tracestate;
  }
  return headers;
}

/** The trace context of an incoming request, or a new one when `tracing.generate` is on. */
export function traceOf(headers: IncomingMessage['headers'], generate: boolean): TraceContext | undefined {
  return parseTraceparent(headers[TRACEPARENT], headers[TRACESTATE]) ?? (generate ? newTrace() : undefined);
}

export class Exchange {
  readonly startedAt = performance.now();
  readonly requestId: string;
  readonly trace: TraceContext | undefined;
  /** The normalised path, once the target was accepted. */
  path: string | undefined;
  client: string | undefined;
  route: RouteRef | undefined;
  /** The application the router chose (never a name taken from the request alone). */
  application = '';
  user: string | undefined;
  /** The instance of the last upstream attempt, and how many attempts were made. */
  upstream: InstanceView | undefined;
  attempts = 0;
  error: ErrorCode | undefined;
  /** Final HTTP status, set when the response closes (499 when nothing was answered). */
  status = 0;
  durationMs = 0;

  constructor(readonly req: IncomingMessage, readonly res: ServerResponse, readonly pipeline: Pipeline) {
    this.requestId = requestIdFor(req.headers[REQUEST_ID_HEADER]);
    this.trace = traceOf(req.headers, pipeline.config.tracing.generate);
  }

  /** Headers for the upstream; a fresh object the caller may add to. */
  upstreamHeaders(): Record<string, string> {
    return traceHeaders(this.requestId, this.trace);
  }
}

/**
 * The forwarder knows the response object, not the exchange: the exchange rides on the response
 * under a private symbol. (A WeakMap keyed by responses did the same job, but one entry per
 * request made every garbage collection walk them: it tripled GC time on the proxy path.)
 */
const EXCHANGE = Symbol('labelgate.exchange');
type ExchangeCarrier = ServerResponse & { [EXCHANGE]?: Exchange };

export interface ExchangeObserver {
  /** The response closed, finished or not. */
  completed?(exchange: Exchange): void;
  /** An upstream attempt is about to be sent; `call.attempt > 0` is a retry. */
  upstreamAttempt?(exchange: Exchange, call: ForwardCall, upstream: InstanceView): void;
  /** An attempt failed before the instance answered (connect, timeout, reset). */
  upstreamFailed?(exchange: Exchange, call: ForwardCall, upstream: InstanceView, code: ErrorCode): void;
}

/**
 * Where exchanges begin and end, and where gateway modules observe them. Observers are called
 * synchronously on the request path: they must only count and log, never wait.
 */
export class ExchangeHooks implements UpstreamObserver {
  private readonly observers: ExchangeObserver[] = [];

  observe(observer: ExchangeObserver): void {
    this.observers.push(observer);
  }

  begin(req: IncomingMessage, res: ServerResponse, pipeline: Pipeline): Exchange {
    const exchange = new Exchange(req, res, pipeline);
    res.setHeader(REQUEST_ID_HEADER, exchange.requestId);
    (res as ExchangeCarrier)[EXCHANGE] = exchange;
    return exchange;
  }

  end(exchange: Exchange): void {
    const { res } = exchange;
    exchange.status = res.headersSent ? res.statusCode : CLIENT_CLOSED_REQUEST;
    exchange.durationMs = performance.now() - exchange.startedAt;
    for (const observer of this.observers) observer.completed?.(exchange);
  }

  attempt(call: ForwardCall, upstream: InstanceView): void {
    const exchange = (call.response as ExchangeCarrier)[EXCHANGE];
    if (!exchange) return;
    exchange.upstream = upstream;
    exchange.attempts++;
    for (const observer of this.observers) observer.upstreamAttempt?.(exchange, call, upstream);
  }

  failed(call: ForwardCall, upstream: InstanceView, error: GatewayError): void {
    const exchange = (call.response as ExchangeCarrier)[EXCHANGE];
    if (!exchange) return;
    for (const observer of this.observers) observer.upstreamFailed?.(exchange, call, upstream, error.code);
  }
}
