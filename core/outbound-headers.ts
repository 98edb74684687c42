/**
 * The headers an upstream receives: the client's end-to-end headers, minus hop-by-hop ones and
 * any forwarding headers the client wrote itself, plus X-Forwarded-For/-Proto/-Host and
 * X-Real-IP rebuilt from the socket and `server.trustedProxies` (S1, S5, S6), plus the headers
 * the gateway adds (authenticated user, request id and trace context). Values the gateway adds are checked for
 * CR, LF and NUL before anything is sent (S21).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ClientAddress } from './client-address.js';
import { GatewayError } from './errors.js';
import { isHopByHop } from './http-forwarder.js';

const FORWARDING = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'forwarded', 'x-real-ip']);
/** Validated (or generated) by the gateway and passed in `added`, never copied raw (core/telemetry/). */
const TRACING = new Set(['x-request-id', 'traceparent', 'tracestate']);
const UNSAFE_VALUE = /[\r\n\0]/;

export function assertSafeHeaderValue(value: string): void {
  if (UNSAFE_VALUE.test(value)) throw new GatewayError('LG_ERR_HEADER_INJECTION');
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function outboundHeaders(
  incoming: IncomingHttpHeaders,
  client: ClientAddress,
  scheme: 'http' | 'https',
  added: Readonly<Record<string, string>> = {},
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const connection = incoming.connection;
  const listed = connection ? new Set(connection.toLowerCase().split(',').map((name) => name.trim())) : undefined;
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || isHopByHop(name) || FORWARDING.has(name) || TRACING.has(name) || listed?.has(name)) continue;
    out[name] = value;
  }
  const trusted = client.viaTrustedProxy;
  out['x-forwarded-for'] = client.forwardedFor;
  out['x-forwarded-proto'] = (trusted && first(incoming['x-forwarded-proto'])) || scheme;
  const host = (trusted && first(incoming['x-forwarded-host'])) || incoming.host;
  if (host) out['x-forwarded-host'] = host;
  out['x-real-ip'] = client.ip;
  for (const name in added) {
    const value = added[name]!;
    assertSafeHeaderValue(value);
    out[name] = value;
  }
  return out;
}
