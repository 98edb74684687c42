/**
 * The headers an upstream receives: the client's end-to-end headers, minus hop-by-hop ones and
 * any forwarding headers the client wrote itself, plus X-Forwarded-For/-Proto/-Host and
 * X-Real-IP rebuilt from the socket and `server.trustedProxies` (S1, S5, S6), plus the headers
 * the gateway adds (request id and trace context; the identity headers come from
 * core/upstream-identity.ts). Values the gateway adds are checked for CR, LF and NUL before
 * anything is sent (S21).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ClientAddress } from './client-address.js';
import { GatewayError } from './errors.js';
import { isHopByHop } from './http-forwarder.js';

const FORWARDING = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'forwarded', 'x-real-ip']);
/**
 * Set only by the gateway: the identity (core/upstream-identity.ts), and the request id and
 * trace context, validated or generated (core/telemetry/) and passed in `added`. A client's raw
 * copy never reaches an upstream.
 */
const GATEWAY_SET = new Set(['x-linkis-user', 'x-request-id', 'traceparent', 'tracestate']);
const UNSAFE_VALUE = /[\r\n\0]/;

export function assertSafeHeaderValue(value: string): void {
  if (UNSAFE_VALUE.test(value)) throw new GatewayError('LG_ERR_HEADER_INJECTION');
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The scheme the client used: a trusted proxy's X-Forwarded-Proto, else the socket's. */
export function clientScheme(incoming: IncomingHttpHeaders, client: ClientAddress, socketScheme: 'http' | 'https'): string {
  return (client.viaTrustedProxy && first(incoming['x-forwarded-proto'])) || socketScheme;
}

/** The host the client asked for: a trusted proxy's X-Forwarded-Host, else Host. */
export function clientHost(incoming: IncomingHttpHeaders, client: ClientAddress): string | undefined {
  return (client.viaTrustedProxy && first(incoming['x-forwarded-host'])) || incoming.host;
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
    if (value === undefined || isHopByHop(name) || FORWARDING.has(name) || GATEWAY_SET.has(name) || listed?.has(name)) continue;
    out[name] = value;
  }
  out['x-forwarded-for'] = client.forwardedFor;
  out['x-forwarded-proto'] = clientScheme(incoming, client, scheme);
  const host = clientHost(incoming, client);
  if (host) out['x-forwarded-host'] = host;
  out['x-real-ip'] = client.ip;
  for (const name in added) {
    const value = added[name]!;
    assertSafeHeaderValue(value);
    out[name] = value;
  }
  return out;
}
