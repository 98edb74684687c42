/** JSON requests from a benchmark to a gateway (Eureka calls, submits) over a few kept-alive connections. */
import { Agent, request } from 'undici';

const dispatcher = new Agent({ connections: 4, keepAliveTimeout: 30_000 });

export async function jsonCall(url: string, method: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await request(url, {
    method: method as 'GET', dispatcher,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, json: text === '' ? undefined : JSON.parse(text) };
}
