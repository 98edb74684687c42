/**
 * Once shutdown began, every response a listener writes says `Connection: close` and its
 * connection ends right after it, so a client on a keep-alive connection knows to reconnect
 * (elsewhere) instead of having the socket closed under it by the drain sweep (core/drain.ts).
 *
 * Node decides keep-alive when it writes the head, in `writeHead` (also called for implicit
 * heads on the first write or end), so this covers requests already in flight as well as those
 * arriving during the drain, at the cost of one branch per response.
 */
import http from 'node:http';

export class ShutdownNotice {
  begun = false;
}

function closingResponseClass(notice: ShutdownNotice): typeof http.ServerResponse {
  // Node's typing of the option is generic over the request type; the class takes any request.
  return class ClosingResponse extends http.ServerResponse {
    override writeHead(...args: unknown[]): this {
      if (notice.begun) this.shouldKeepAlive = false;
      return (super.writeHead as (...rest: unknown[]) => this)(...args);
    }
  } as typeof http.ServerResponse;
}

/** A Node server whose responses follow `notice`. */
export function noticeAwareServer(notice: ShutdownNotice, handler?: http.RequestListener): http.Server {
  return http.createServer({ ServerResponse: closingResponseClass(notice) }, handler);
}
