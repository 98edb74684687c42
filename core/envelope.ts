/**
 * The Linkis response envelope `{"method","status","message","data"}` (design §3.4). Every
 * response the gateway writes itself goes through here, so field order, content type and the
 * error → HTTP status mapping live in one place.
 */
import type { ServerResponse } from 'node:http';
import { GatewayError, asGatewayError, type EnvelopeStatus } from './errors.js';

export const ENVELOPE_CONTENT_TYPE = 'application/json;charset=UTF-8';

export interface Envelope {
  method: string | null;
  status: EnvelopeStatus;
  message: string;
  data: Record<string, unknown>;
}

export function envelope(method: string | null, status: EnvelopeStatus, message: string, data: Record<string, unknown> = {}): Envelope {
  return { method, status, message, data };
}

export function okEnvelope(method: string | null, message: string, data: Record<string, unknown> = {}): Envelope {
  return envelope(method, 0, message, data);
}

/** An envelope whose `method` the writer fills in (local endpoints: always the request path). */
export type EnvelopeBody = Omit<Envelope, 'method'>;

export function okBody(message: string, data: Record<string, unknown> = {}): EnvelopeBody {
  return { status: 0, message, data };
}

/** The envelope for an error; `data.code` carries the stable code tests and clients branch on. */
export function errorEnvelope(method: string | null, error: GatewayError): Envelope {
  return { method, ...errorBody(error) };
}

export function errorBody(error: GatewayError): EnvelopeBody {
  const data: Record<string, unknown> = { ...error.data, code: error.code };
  if (error.linkisCode !== undefined) data.errCode = error.linkisCode;
  return { status: error.envelopeStatus, message: error.message, data };
}

export interface ErrorResponse {
  httpStatus: number;
  body: Envelope;
}

/** Maps an error to its HTTP status and envelope, applying `compat.routingErrorsAsHttp200`. */
export function errorResponse(method: string | null, thrown: unknown, routingErrorsAsHttp200 = false): ErrorResponse {
  const error = asGatewayError(thrown);
  const httpStatus = error.routing && routingErrorsAsHttp200 ? 200 : error.httpStatus;
  return { httpStatus, body: errorEnvelope(method, error) };
}

/** Writes an envelope on a raw response (used where Fastify's reply is not available or hijacked). */
export function writeEnvelope(res: ServerResponse, httpStatus: number, body: Envelope, headers: Record<string, string | string[]> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(httpStatus, {
    ...headers,
    'content-type': ENVELOPE_CONTENT_TYPE,
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}
