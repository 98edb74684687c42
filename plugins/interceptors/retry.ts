/**
 * Retries a request on the next candidate instance when the upstream could not be reached
 * (connection refused, connect timeout) and the request body was not touched yet, so nothing
 * can have been processed twice. Any other failure is returned as it is.
 */
import { defineInterceptor, type Forward } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';

interface Options {
  attempts: number;
}

const NOT_SENT = new Set(['LG_ERR_UPSTREAM_CONNECT', 'LG_ERR_UPSTREAM_CONNECT_TIMEOUT']);

export function wasNeverSent(error: unknown): boolean {
  return error instanceof GatewayError && NOT_SENT.has(error.code);
}

export default defineInterceptor<Options>({
  kind: 'interceptor',
  name: 'retry',
  version: '1.0.0',
  priority: 100,
  description: 'Try the next instance when the chosen one refused the connection',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { attempts: { type: 'integer', minimum: 1, maximum: 10, default: 2 } },
  },
  create(options) {
    return {
      wrap(next: Forward): Forward {
        return async (call) => {
          for (let attempt = call.attempt; ; attempt++) {
            try {
              return await next(attempt === call.attempt ? call : { ...call, attempt });
            } catch (error) {
              const tried = attempt - call.attempt + 1;
              const untriedLeft = tried < call.choice.candidates.length;
              if (!wasNeverSent(error) || tried >= options.attempts || !untriedLeft || !call.request.replayable()) throw error;
            }
          }
        };
      },
    };
  },
});
