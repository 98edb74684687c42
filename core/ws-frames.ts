/**
 * The multiplexing protocol's frames. A client frame is the Linkis ServerEvent:
 * `{"id"?: n, "method": "/api/rest_j/v1/…", "data": {…}, …}`. What the gateway sends on its own
 * is an envelope whose `method` is the failing frame's method and which carries its `id`.
 */
import { asGatewayError, GatewayError } from './errors.js';
import { errorEnvelope, type Envelope } from './envelope.js';

export interface ClientFrame {
  readonly method: string;
  readonly id?: unknown;
  readonly data: unknown;
  /** The whole frame as JSON.parse read it. */
  readonly json: Readonly<Record<string, unknown>>;
}

/** Parses a client text frame; throws LG_ERR_WS_BAD_FRAME with the reason. */
export function parseClientFrame(text: string): ClientFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GatewayError('LG_ERR_WS_BAD_FRAME', { reason: `not JSON (${(error as Error).message})` });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new GatewayError('LG_ERR_WS_BAD_FRAME', { reason: 'not an object' });
  const frame = value as Record<string, unknown>;
  if (typeof frame.method !== 'string' || frame.method === '') throw new GatewayError('LG_ERR_WS_BAD_FRAME', { reason: '"method" is missing' });
  return { method: frame.method, id: frame.id, data: frame.data, json: frame };
}

/** The method and id of a frame that may not have parsed, for its error answer. */
export function frameIdentity(text: string | undefined): { method: string | null; id?: unknown } {
  if (text === undefined) return { method: null };
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    return {
      method: typeof value?.method === 'string' ? value.method : null,
      ...(value && 'id' in value ? { id: value.id } : {}),
    };
  } catch {
    return { method: null };
  }
}

export function errorFrame(identity: { method: string | null; id?: unknown }, error: unknown): string {
  const body: Envelope & { id?: unknown } = errorEnvelope(identity.method, asGatewayError(error));
  if (identity.id !== undefined) body.id = identity.id;
  return JSON.stringify(body);
}
