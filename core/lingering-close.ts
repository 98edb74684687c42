/**
 * Ends a connection whose request body was refused before it was read (413, 415, …) so that
 * the client still gets to read the answer (RFC 9112 §9.6, "tear-down").
 *
 * Closing a socket that still has unread input makes the kernel answer with RST, and an RST
 * can discard our 413 from the client's receive buffer before the client has read it. So the
 * connection is closed in stages, as Apache and nginx do ("lingering close"): the answer is
 * sent with `Connection: close`, our side is half-closed (FIN), and what the client still
 * sends is read and dropped, into no buffer, until it closes its side or a small time or byte
 * budget runs out; only then is the socket destroyed.
 */
import type { IncomingMessage } from 'node:http';

/** Long enough for a client to read an answer and stop sending; short enough to free the socket. */
const LINGER_MS = 2_000;
/** Past this many discarded bytes the client is not listening; stop paying for its upload. */
const LINGER_BYTES = 4 * 1024 * 1024;

/** Call before writing the response (which must carry `Connection: close`). */
export function lingerAfterResponse(req: IncomingMessage): void {
  const socket = req.socket;
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) socket.destroy();
  });
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
