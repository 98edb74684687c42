/**
 * Child process: WebSocket load. Opens `connections` sockets to `url`; each keeps `window` frames
 * in flight (a new frame for every answer), for `seconds` after all are open. Every path under
 * test answers a connection's frames in order (one upstream socket per client socket), so an
 * answer is matched to the oldest frame in flight, and the answers are not parsed: one that lacks
 * `"status":0` counts as an error. Prints a JSON WsLoadResult.
 */
import WebSocket from 'ws';
import { percentile } from './report.js';

export interface WsLoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly window: number;
  readonly seconds: number;
  /** The frame's `method` and `data`; each frame gets its own `id`. */
  readonly method: string;
  readonly data: unknown;
}

export interface WsLoadResult {
  /** Answers in the timed window, and per second. */
  readonly messages: number;
  readonly rate: number;
  /** Answers over the child's life (warm-up and drain included), for CPU per message. */
  readonly total: number;
  readonly p50: number;
  readonly p99: number;
  /** Answers without status 0, answers to no frame in flight, frames never answered. */
  readonly errors: number;
}

const options = JSON.parse(process.argv[2]!) as WsLoadOptions;
setTimeout(() => {
  process.stderr.write('ws-load: gave up\n');
  process.exit(2);
}, (options.seconds + 30) * 1000).unref();

const OK = Buffer.from('"status":0');
const TAIL = `,"method":${JSON.stringify(options.method)},"data":${JSON.stringify(options.data)}}`;
let running = true;
let inWindow = false;
let messages = 0;
let total = 0;
let errors = 0;
let inFlightAll = 0;
const latencies: number[] = [];
let drained: () => void = () => {};

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(options.url, { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: 10_000 });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function drive(socket: WebSocket): void {
  const sentAt = new Float64Array(options.window);
  let head = 0;
  let inFlight = 0;
  let id = 0;
  const send = () => {
    sentAt[(head + inFlight) % options.window] = performance.now();
    inFlight++;
    inFlightAll++;
    socket.send(`{"id":${++id}${TAIL}`);
  };
  socket.on('message', (data: Buffer) => {
    if (inFlight === 0) {
      errors++;
      return;
    }
    const latency = performance.now() - sentAt[head]!;
    head = (head + 1) % options.window;
    inFlight--;
    inFlightAll--;
    total++;
    if (!data.includes(OK)) errors++;
    if (inWindow) {
      messages++;
      latencies.push(latency);
    }
    if (running) send();
    else if (inFlightAll === 0) drained();
  });
  socket.on('close', () => {
    errors += inFlight;
    inFlightAll -= inFlight;
    inFlight = 0;
    if (!running && inFlightAll === 0) drained();
  });
  for (let i = 0; i < options.window; i++) send();
}

const sockets = await Promise.all(Array.from({ length: options.connections }, open));
for (const socket of sockets) drive(socket);
inWindow = true;
const started = performance.now();
await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
inWindow = false;
running = false;
const elapsed = (performance.now() - started) / 1000;
if (inFlightAll > 0) await Promise.race([new Promise<void>((resolve) => (drained = resolve)), new Promise((resolve) => setTimeout(resolve, 5000))]);
errors += inFlightAll;
for (const socket of sockets) socket.terminate();
latencies.sort((a, b) => a - b);
const at = (p: number) => (latencies.length > 0 ? percentile(latencies, p) : NaN);
const result: WsLoadResult = { messages, rate: messages / elapsed, total, p50: at(50), p99: at(99), errors };
process.stdout.write(JSON.stringify(result));
process.exit(0);
