/**
 * Graceful stop of the public listener (SIGTERM, design §3.1):
 *
 *   stop accepting ─► requests in flight finish; each keep-alive connection is closed as soon
 *   as it is idle ─► grace period over? destroy every socket still open (upgraded ones too)
 *
 * Fastify's `close()` stops accepting, but the gateway's handler bypasses Fastify's routing, so
 * it is core/closing-response.ts that makes every answer written from the signal on say
 * `Connection: close` and end its connection. `server.close()` waits for every socket, so idle
 * ones (a keep-alive connection between requests) are swept until none is left.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** How often idle keep-alive connections are closed while draining. */
const SWEEP_MS = 50;

/** Every socket of a server, upgraded (WebSocket) ones included, which Node's own lists leave out. */
export class ConnectionTracker {
  private readonly sockets = new Set<Socket>();

  constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get size(): number {
    return this.sockets.size;
  }

  destroyAll(): number {
    const count = this.sockets.size;
    for (const socket of this.sockets) socket.destroy();
    return count;
  }
}

export interface DrainOutcome {
  /** Connections destroyed because the grace period ran out (0 when everything finished). */
  readonly cut: number;
}

export async function drainListener(app: FastifyInstance, connections: ConnectionTracker, graceMs: number): Promise<DrainOutcome> {
  const closed = app.close();
  const sweep = setInterval(() => app.server.closeIdleConnections(), SWEEP_MS);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), graceMs);
  });
  try {
    const outcome = await Promise.race([closed.then(() => 'drained' as const), expired]);
    if (outcome === 'drained') return { cut: 0 };
    const cut = connections.destroyAll();
    await closed;
    return { cut };
  } finally {
    clearInterval(sweep);
    clearTimeout(timer);
  }
}
