/**
 * One gateway → instance WebSocket of a multiplexed client connection. Frames sent before the
 * socket is open wait in a bounded queue; a frame that does not fit is refused (never dropped
 * silently). The gateway pings the instance every `websocket.heartbeat`; one missed pong and
 * the socket is terminated.
 */
import WebSocket from 'ws';
import { WriteBatch } from './ws-write-batch.js';

export interface QueuedFrame {
  readonly text: string;
  /** Called when the frame cannot be delivered (socket failed before it was sent). */
  readonly undeliverable: (error: 'connect' | 'closed') => void;
}

export interface UpstreamLinkHandlers {
  onMessage(data: WebSocket.RawData, isBinary: boolean): void;
  /** `opened` is false when the socket never opened (connection refused, bad handshake). */
  onClose(code: number, opened: boolean): void;
}

export class UpstreamLink {
  readonly socket: WebSocket;
  private readonly queue: QueuedFrame[] = [];
  private queuedBytes = 0;
  private opened = false;
  private closed = false;
  private alive = true;
  private batch: WriteBatch | undefined;

  constructor(
    url: string,
    headers: Record<string, string | string[]>,
    private readonly maxBufferedBytes: number,
    maxPayload: number,
    private readonly handlers: UpstreamLinkHandlers,
  ) {
    this.socket = new WebSocket(url, { headers: headers as Record<string, string>, perMessageDeflate: false, maxPayload, handshakeTimeout: 10_000 });
    this.socket.once('upgrade', (response) => (this.batch = new WriteBatch(response.socket)));
    this.socket.on('open', () => {
      this.opened = true;
      this.batch?.hold();
      for (const frame of this.queue.splice(0)) this.socket.send(frame.text);
      this.queuedBytes = 0;
    });
    this.socket.on('message', (data, isBinary) => handlers.onMessage(data, isBinary));
    this.socket.on('pong', () => (this.alive = true));
    this.socket.on('error', () => { /* 'close' follows and reports it */ });
    this.socket.on('close', (code) => this.finish(code));
  }

  private finish(code: number): void {
    if (this.closed) return;
    this.closed = true;
    for (const frame of this.queue.splice(0)) frame.undeliverable(this.opened ? 'closed' : 'connect');
    this.handlers.onClose(code, this.opened);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes waiting to go to the instance (queue before open, socket buffer after). */
  get bufferedBytes(): number {
    return this.opened ? this.socket.bufferedAmount : this.queuedBytes;
  }

  /** False when the frame was refused because too much is already waiting. */
  send(frame: QueuedFrame, onWritten?: () => void): boolean {
    const size = Buffer.byteLength(frame.text);
    if (this.bufferedBytes + size > this.maxBufferedBytes && this.bufferedBytes > 0) return false;
    if (!this.opened) {
      this.queue.push(frame);
      this.queuedBytes += size;
      return true;
    }
    this.batch?.hold();
    this.socket.send(frame.text, onWritten);
    return true;
  }

  pause(): void {
    if (this.opened && !this.closed) this.socket.pause();
  }

  resume(): void {
    if (this.opened && !this.closed) this.socket.resume();
  }

  /** One heartbeat: terminate if the last ping went unanswered, else ping again. */
  heartbeat(): void {
    if (!this.opened || this.closed) return;
    if (!this.alive) {
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
  }

  close(code: number): void {
    if (this.closed) return;
    if (this.opened) this.socket.close(code);
    else this.socket.terminate();
  }
}
