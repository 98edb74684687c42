/**
 * Collects a request body for routing, only when it must be read: the bytes up to
 * `body.maxBytes`. A larger body is refused (413) as soon as its Content-Length says so or its
 * bytes pass the limit, without reading the rest into memory (core/lingering-close.ts ends the
 * connection). The bytes are forwarded untouched afterwards.
 */
import type { IncomingMessage } from 'node:http';
import { ownedCopy } from './body-pool.js';
import { GatewayError } from './errors.js';

export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Reads the body, up to `maxBytes`. Bodies of `ownedFrom` bytes or more come back in an
 * ArrayBuffer of their own, so they can be transferred to a worker without another copy.
 * Memory is taken as bytes arrive, never up front on the word of Content-Length: a client
 * declaring 64 MiB and sending nothing costs nothing.
 */
export function collectBody(req: IncomingMessage, maxBytes: number, ownedFrom = Number.POSITIVE_INFINITY): Promise<Buffer> {
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
      if (size >= ownedFrom) resolve(ownedCopy(chunks, size));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
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
