/** A small HTTP client for tests: real requests over loopback with undici. */
import { request as undiciRequest, type Dispatcher } from 'undici';

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = any>(): T;
}

export interface RequestInit {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer | NodeJS.ReadableStream | null;
  dispatcher?: Dispatcher;
}

export async function httpRequest(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await undiciRequest(url, {
    method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: init.headers,
    body: init.body as never,
    ...(init.dispatcher ? { dispatcher: init.dispatcher } : {}),
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    headers: response.headers,
    text,
    json: () => JSON.parse(text),
  };
}

/**
 * Sends raw bytes and returns the raw answer (for request lines undici refuses to send). The
 * socket stays open for writing; the server closes it (send `Connection: close`), or after
 * `waitMs` the answer so far is returned.
 */
export async function rawRequest(port: number, payload: string, host = '127.0.0.1', waitMs = 3000): Promise<string> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => socket.write(payload));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(data);
    }, waitMs);
    socket.on('close', () => clearTimeout(timer));
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('end', () => resolve(data));
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
  });
}

/** Splits a raw HTTP/1.1 response into status, headers and body (decoding chunked bodies). */
export function parseRawResponse(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const [statusLine, ...headerLines] = raw.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.slice(split + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    let decoded = '';
    let rest = body;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      const size = parseInt(rest.slice(0, lineEnd), 16);
      if (!size) break;
      decoded += rest.slice(lineEnd + 2, lineEnd + 2 + size);
      rest = rest.slice(lineEnd + 2 + size + 2);
    }
    body = decoded;
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body };
}
