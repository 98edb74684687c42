/**
 * Error answers for the registry's routes on the admin listener: every failure, including
 * Fastify's own (body too large, unreadable body), becomes the coded envelope rather than
 * Fastify's default `{statusCode, error, message}`.
 */
import type { FastifyInstance } from 'fastify';
import { sendError } from '../admin-server.js';
import { GatewayError, asGatewayError } from '../errors.js';

export function answerErrorsWithEnvelopes(scope: FastifyInstance, bodyLimit: number): void {
  scope.setErrorHandler((error: unknown, request, reply) => {
    const code = (error as { code?: string }).code;
    let mapped: GatewayError;
    if (error instanceof GatewayError) mapped = error;
    else if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') mapped = new GatewayError('LG_ERR_BODY_TOO_LARGE', { limit: bodyLimit });
    else if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') mapped = new GatewayError('LG_ERR_ADMIN_BAD_REQUEST', { reason: 'send a JSON body (Content-Type: application/json)' });
    else if ((error as { statusCode?: number }).statusCode === 400) mapped = new GatewayError('LG_ERR_ADMIN_BAD_REQUEST', { reason: (error as Error).message });
    else {
      mapped = asGatewayError(error);
      request.log.error({ err: error }, 'admin request failed');
    }
    sendError(reply, request.url.split('?')[0]!, mapped);
  });
}

/** The decoded path segments after `base` (`/admin/labels/`), a trailing slash ignored. */
export function pathSegments(url: string, base: string): string[] {
  const parts = url.split('?')[0]!.slice(base.length).split('/');
  if (parts[parts.length - 1] === '') parts.pop();
  try {
    return parts.map((part) => decodeURIComponent(part));
  } catch {
    throw new GatewayError('LG_ERR_PATH_BAD_ENCODING');
  }
}
