/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): `traceparent` and `tracestate`.
 *
 * labelgate exports no spans of its own, so it forwards a valid `traceparent` unchanged: the
 * upstream's span stays a child of the caller's span, and the access log records the trace id.
 * An invalid one is dropped with its `tracestate` (the spec's "restart the trace"). A request
 * without one gets none unless `tracing.generate` is on; then the gateway starts a trace, marked
 * sampled so that parent-based samplers upstream record it as they would a root request.
 */
import { randomBytes } from 'node:crypto';

export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

export interface TraceContext {
  readonly traceId: string;
  readonly parentId: string;
  /** The header to send upstream, normalised to version 00. */
  readonly traceparent: string;
  readonly tracestate: string | undefined;
}

// version-traceid-parentid-flags; later versions may append fields after another `-`.
const TRACEPARENT_FORMAT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZERO = /^0+$/;
const TRACESTATE_FORMAT = /^[\x20-\x7e]{1,512}$/;

export function parseTraceparent(header: string | string[] | undefined, tracestate: string | string[] | undefined): TraceContext | undefined {
  if (typeof header !== 'string') return undefined;
  const match = TRACEPARENT_FORMAT.exec(header);
  if (!match) return undefined;
  const [, version, traceId, parentId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(parentId)) return undefined;
  const state = typeof tracestate === 'string' && TRACESTATE_FORMAT.test(tracestate) ? tracestate : undefined;
  const traceparent = version === '00' ? header : `00-${traceId}-${parentId}-${flags}`;
  return { traceId, parentId, traceparent, tracestate: state };
}

/** A new sampled trace with the gateway as its root. */
export function newTrace(): TraceContext {
  const bytes = randomBytes(24).toString('hex');
  const traceId = bytes.slice(0, 32);
  const parentId = bytes.slice(32);
  return { traceId, parentId, traceparent: `00-${traceId}-${parentId}-01`, tracestate: undefined };
}
