/**
 * One HTTP request, end to end (design §1), on the Pipeline it acquired when it arrived:
 *
 *   resolve (core/request/resolve.ts: normalise, screen, local endpoint, auth, parse, body, route)
 *   ─► a local endpoint answers it, or it is forwarded to the instance chosen
 *
 * Every failure is an envelope with the error's HTTP status; nothing here throws to Fastify.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger, Principal, ProxyRequest } from './contracts.js';
import { IncomingAuthRequest } from './auth-request.js';
import { hasBody } from './body-reader.js';
import { errorResponse, writeEnvelope, type EnvelopeBody } from './envelope.js';
import { GatewayError } from './errors.js';
import { lingerAfterResponse } from './lingering-close.js';
import type { LocalEndpoint, LocalEndpoints } from './local-endpoints.js';
import { outboundHeaders } from './outbound-headers.js';
import { targetToString } from './path.js';
import type { Pipeline } from './pipeline.js';
import type { PipelineHolder } from './reload.js';
import type { RegistryView } from './registry/snapshot.js';
import { resolve } from './request/resolve.js';
import type { Exchange, ExchangeHooks } from './telemetry/exchange.js';

export interface HandlerDeps {
  readonly holder: PipelineHolder;
  readonly registry: RegistryView;
  readonly localEndpoints: LocalEndpoints;
  readonly logger: Logger;
  readonly exchanges: ExchangeHooks;
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
    const method = req.method ?? 'GET';
    const client = pipeline.security.clientAddress(req);
    exchange.client = client.ip;
    const resolution = await resolve(pipeline, {
      method,
      rawTarget: req.url ?? '/',
      headers: req.headers,
      screen: { clientIp: client.ip, cors: { req, res } },
      localEndpoints: this.deps.localEndpoints,
      credentials: (target) => new IncomingAuthRequest(req, target, client),
      readBody: (request, hit) => pipeline.body.read(req, request, hit),
      snapshot: () => this.deps.registry.snapshot(),
      auth: 'enforce',
    });
    const { target, principal } = resolution;
    if (target) exchange.path = target.path;
    if (principal) exchange.user = principal.user;
    exchange.route = resolution.endpoint ?? resolution.hit?.entry;
    if (resolution.error) return this.fail(exchange, target ? target.path : null, resolution.unexpected ?? resolution.error);
    if (resolution.answered) return;
    const auth = resolution.auth!;
    try {
      if (resolution.endpoint) return await this.local(req, res, pipeline, auth, resolution.endpoint, principal);
      const choice = resolution.choice!;
      exchange.application = choice.application;
      await pipeline.forward({ request: this.proxyRequest(pipeline, auth, exchange, principal, resolution.body), choice, attempt: 0, response: res });
    } catch (error) {
      this.fail(exchange, target!.path, error);
    }
  }

  private proxyRequest(pipeline: Pipeline, auth: IncomingAuthRequest, exchange: Exchange, principal: Principal | undefined, body: Buffer | undefined): ProxyRequest {
    const { req } = auth;
    const headers = outboundHeaders(req.headers, auth.client, auth.socketScheme, exchange.upstreamHeaders());
    pipeline.security.identifyUpstream(headers, principal);
    if (body !== undefined) {
      delete headers['transfer-encoding'];
      headers['content-length'] = String(body.length);
    }
    const stream = body === undefined && hasBody(req) ? req : null;
    return {
      method: auth.method,
      target: targetToString(auth.target),
      headers,
      body: body ?? stream,
      replayable: () => stream === null || !stream.readableDidRead,
    };
  }

  private async local(req: IncomingMessage, res: ServerResponse, pipeline: Pipeline, auth: IncomingAuthRequest, endpoint: LocalEndpoint, principal: Principal | undefined): Promise<void> {
    await endpoint.handle({
      req,
      res,
      pipeline,
      target: auth.target,
      client: auth.client,
      cookies: auth.cookies,
      auth,
      principal,
      reply: (status: number, body: EnvelopeBody, headers: Record<string, string | string[]> = {}) => writeEnvelope(res, status, { method: auth.path, status: body.status, message: body.message, data: body.data }, headers),
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
