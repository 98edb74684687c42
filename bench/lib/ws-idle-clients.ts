/**
 * Child process: `count` idle WebSocket clients of `url` (handshake done, no frame sent; pings
 * are answered), spread over local source addresses so no one address runs out of ports.
 * Prints `READY {"open":n,"failed":m}` once every handshake has ended either way; on SIGTERM
 * drops every socket and exits.
 */
import WebSocket from 'ws';

export interface IdleClientsOptions {
  readonly url: string;
  readonly count: number;
  /** Local addresses to connect from, in turn (127.0.0.x). */
  readonly addresses: readonly string[];
  /** Handshakes under way at once. */
  readonly concurrency: number;
}

const options = JSON.parse(process.argv[2]!) as IdleClientsOptions;
const sockets: WebSocket[] = [];
let failed = 0;
let next = 0;

function open(index: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = new WebSocket(options.url, {
      perMessageDeflate: false, handshakeTimeout: 10_000, localAddress: options.addresses[index % options.addresses.length],
    });
    socket.once('open', () => {
      sockets.push(socket);
      resolve();
    });
    socket.once('error', () => {
      failed++;
      resolve();
    });
  });
}

async function worker(): Promise<void> {
  while (next < options.count) await open(next++);
}

await Promise.all(Array.from({ length: options.concurrency }, worker));
process.stdout.write(`READY ${JSON.stringify({ open: sockets.length, failed })}\n`);
process.once('SIGTERM', () => {
  for (const socket of sockets) socket.terminate();
  process.exit(0);
});
