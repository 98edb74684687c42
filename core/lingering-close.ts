/**
 * Ends a connection whose request body was refused before it was read (413, 415, …) so that
 * the client still gets to read the answer (RFC 9112 §9.6, "tear-down").
 *
 * Closing a socket that still has unread input makes the kernel answer with RST, and an RST
 * can discard our 413 from the client's receive buffer before the client has read it. So the
 * connection is closed in stages, as Apache and nginx do ("lingering close"): the answer is
 * sent with `Connection: close`, our side is half-closed (FIN), and what the client still
 * sends is read and dropped, into no buffer, until it closes its side or a small time budget
 * runs out; only then is the socket destroyed.
 */
import type { IncomingMessage } from 'node:http';

/**
 * Long enough for a client to read an answer and stop sending, or to finish handing over a body
 * it had already written; short enough to free the socket. Discarded bytes go into no buffer, so
 * this time is the one bound needed: a byte budget (there was one, 4 MiB) resets clients that
 * wrote their whole body before reading, and, on Linux, whose socket buffers autotune up to 32 MiB,
 * even clients that stopped at once on a busy machine.
 */
const LINGER_MS = 5_000;

/** Call before writing the response (which must carry `Connection: close`). */
export function lingerAfterResponse(req: IncomingMessage): void {
  const socket = req.socket;
  req.resume();
  // Node's server ends a `Connection: close` response with socket.destroySoon(), which would
  // close with the upload still arriving: replace it, for this socket only, with the staged close.
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    req.once('end', () => socket.destroy());
    req.once('close', () => socket.destroy());
  };
}
