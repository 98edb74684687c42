/**
 * One HTTP request, end to end (design §1), on the Pipeline it acquired when it arrived:
 *
 *   1 normalise the target ─► 2 client IP, CORS, allow list, referer ─► local endpoint? ─► pass-through or auth
 *   ─► 3 body (only if the matched parser needs it) ─► 4 parse ─► 5 route ─► 6 forward
 *
 * Every failure is an envelope with the error's HTTP status; nothing here throws to Fastify.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger, ParseTarget, Principal, ProxyRequest, RouteChoice } from './contracts.js';
import { isThenable } from './auth-chain.js';
import { IncomingAuthRequest } from './auth-request.js';
import type { ClientAddress } from './client-address.js';
import { hasBody } from './body-reader.js';
import { errorResponse, writeEnvelope, type EnvelopeBody } from './envelope.js';
import { GatewayError } from './errors.js';
import { lingerAfterResponse } from './lingering-close.js';
import { LocalEndpoints, type LocalEndpoint } from './local-endpoints.js';
import { outboundHeaders } from './outbound-headers.js';
import { LazyParseRequest } from './parse-stage.js';
import { normaliseTarget, targetToString, type RequestTarget } from './path.js';
import type { Pipeline } from './pipeline.js';
import type { PipelineHolder } from './reload.js';
import type { RegistryView } from './registry/snapshot.js';
import type { Exchange, ExchangeHooks } from './telemetry/exchange.js';

export interface HandlerDeps {
  readonly holder: PipelineHolder;
  readonly registry: RegistryView;
  readonly localEndpoints: LocalEndpoints;
  readonly logger: Logger;
  readonly exchanges: ExchangeHooks;
}

/** Per-request state, created once the path is known to be acceptable. */
export class RequestContext extends IncomingAuthRequest {
  principal: Principal | undefined;

  constructor(
    req: IncomingMessage, readonly res: ServerResponse, readonly pipeline: Pipeline, target: RequestTarget, client: ClientAddress,
    readonly exchange: Exchange,
  ) {
    super(req, target, client);
  }
}

export class HttpHandler {
  constructor(private readonly deps: HandlerDeps) {}

  /** Entry point for the catch-all route; resolves when the response is written or handed off. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pipeline = this.deps.holder.acquire();
    const exchange = this.deps.exchanges.begin(req, res, pipeline);
    res.once('close', () => {
      this.deps.holder.release(pipeline);
      this.deps.exchanges.end(exchange);
    });
    let target: RequestTarget;
    try {
      target = normaliseTarget(req.url ?? '/');
    } catch (error) {
      this.fail(exchange, null, error);
      return;
    }
    const client = pipeline.security.clientAddress(req);
    exchange.path = target.path;
    exchange.client = client.ip;
    const context = new RequestContext(req, res, pipeline, target, client, exchange);
    try {
      await this.run(context);
    } catch (error) {
      this.fail(exchange, target.path, error);
    }
  }

  private async run(context: RequestContext): Promise<void> {
    const { pipeline } = context;
    if (pipeline.security.screen(context)) return;
    const endpoint = this.deps.localEndpoints.find(context.path);
    if (endpoint) return this.local(context, endpoint);
    const principal = pipeline.security.isPassThrough(context.path)
      ? pipeline.security.passThroughPrincipal(context)
      : pipeline.security.authenticate(context);
    this.authenticated(context, isThenable(principal) ? await principal : principal);

    const request = new LazyParseRequest(context.method, context.path, context.target.query, context.req.headers);
    const hit = pipeline.parsers.find(context.method, context.path);
    if (!hit) throw new GatewayError('LG_ERR_PARSE_NO_SERVICE', { path: context.path });
    context.exchange.route = hit.entry;
    const pendingBody = pipeline.body.read(context.req, request, hit);
    const body = isThenable(pendingBody) ? await pendingBody : pendingBody;
    const parsed = hit.entry.parser.parse(request, hit.match);
    const choice = this.route(context, parsed);
    context.exchange.application = choice.application;
    await pipeline.forward({ request: this.proxyRequest(context, body), choice, attempt: 0, response: context.res });
  }

  private authenticated(context: RequestContext, principal: Principal | undefined): void {
    context.principal = principal;
    if (principal) context.exchange.user = principal.user;
  }

  private route(context: RequestContext, parsed: ParseTarget): RouteChoice {
    return context.pipeline.router.instance.route(parsed, { snapshot: this.deps.registry.snapshot(), method: context.method, path: context.path });
  }

  private proxyRequest(context: RequestContext, body: Buffer | undefined): ProxyRequest {
    const { req } = context;
    const headers = outboundHeaders(req.headers, context.client, context.socketScheme, context.exchange.upstreamHeaders());
    context.pipeline.security.identifyUpstream(headers, context.principal);
    if (body !== undefined) {
      delete headers['transfer-encoding'];
      headers['content-length'] = String(body.length);
    }
    const stream = body === undefined && hasBody(req) ? req : null;
    return {
      method: context.method,
      target: targetToString(context.target),
      headers,
      body: body ?? stream,
      replayable: () => stream === null || !stream.readableDidRead,
    };
  }

  private async local(context: RequestContext, endpoint: LocalEndpoint): Promise<void> {
    context.exchange.route = endpoint;
    if (endpoint.access !== 'public') {
      const principal = await context.pipeline.security.authenticate(context);
      this.authenticated(context, principal);
      if (endpoint.access === 'admin' && !principal.admin) throw new GatewayError('LG_ERR_ADMIN_REQUIRED', { path: context.path });
    }
    await endpoint.handle({
      req: context.req,
      res: context.res,
      pipeline: context.pipeline,
      target: context.target,
      client: context.client,
      cookies: context.cookies,
      auth: context,
      principal: context.principal,
      reply: (status: number, body: EnvelopeBody, headers: Record<string, string | string[]> = {}) => writeEnvelope(context.res, status, { method: context.path, status: body.status, message: body.message, data: body.data }, headers),
    });
  }

  private fail(exchange: Exchange, method: string | null, error: unknown): void {
    if (!(error instanceof GatewayError)) this.deps.logger.error({ err: error, path: method, reqId: exchange.requestId }, 'unexpected error while handling a request');
    const { httpStatus, body } = errorResponse(method, error, exchange.pipeline.config.compat.routingErrorsAsHttp200);
    exchange.error = error instanceof GatewayError ? error.code : 'LG_ERR_INTERNAL';
    const headers: Record<string, string> = {};
    if (error instanceof GatewayError && typeof error.data.retryAfter === 'number') headers['retry-after'] = String(error.data.retryAfter);
    // A body refused before it was read in full: close the connection, without reading the rest.
    const { res } = exchange;
    if (error instanceof GatewayError && error.code.startsWith('LG_ERR_BODY_') && (!res.req.complete || error.code === 'LG_ERR_BODY_TOO_LARGE')) {
      headers.connection = 'close';
      lingerAfterResponse(res.req);
    }
    writeEnvelope(res, httpStatus, body, headers);
  }
}
