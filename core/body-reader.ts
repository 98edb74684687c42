/**
 * Reads a request body for routing, only when the matched parser asks for it: the bytes up to
 * `body.maxBytes` (413 beyond, without reading the rest), parsed as JSON to extract the routing
 * facts (`labels`). The original bytes are forwarded untouched.
 */
import type { IncomingMessage } from 'node:http';
import type { BodyFacts } from './contracts.js';
import { GatewayError } from './errors.js';

export interface ReadBody {
  readonly bytes: Buffer;
  readonly facts: BodyFacts;
}

export function collectBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(new GatewayError('LG_ERR_BODY_TOO_LARGE', { limit: maxBytes }));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        req.pause();
        reject(new GatewayError('LG_ERR_BODY_TOO_LARGE', { limit: maxBytes }));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error?: unknown) => {
      cleanup();
      reject(new GatewayError('LG_ERR_BODY_READ', {}, { cause: error }));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  });
}

/** The routing facts of a JSON body: `labels` with its string values. */
export function routingFacts(json: unknown): BodyFacts {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return {};
  const labels = (json as { labels?: unknown }).labels;
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return {};
  const strings: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) if (typeof value === 'string') strings[key] = value;
  return { labels: strings };
}

export function parseJsonFacts(bytes: Buffer): BodyFacts {
  if (bytes.length === 0) return {};
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new GatewayError('LG_ERR_BODY_MALFORMED_JSON', { reason: (error as Error).message });
  }
  return routingFacts(json);
}

export async function readBodyFacts(req: IncomingMessage, maxBytes: number): Promise<ReadBody> {
  const bytes = await collectBody(req, maxBytes);
  return { bytes, facts: parseJsonFacts(bytes) };
}
