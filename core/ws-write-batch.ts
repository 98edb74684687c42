/**
 * Frames written in one tick leave a socket in one write. `ws` writes every frame on its own
 * (header and payload in one writev, a system call a frame); a session relays frames in bursts,
 * as they arrive in one read. `hold()` corks the socket at the first frame of a tick and uncorks
 * it once the tick's work (its promise jobs included) is done, so nothing waits longer than that.
 */
import type { Writable } from 'node:stream';

export class WriteBatch {
  private held = false;

  constructor(private readonly socket: Writable) {}

  /** Call before writing a frame: the socket holds its writes until the end of this tick. */
  hold(): void {
    if (this.held) return;
    this.held = true;
    this.socket.cork();
    process.nextTick(() => {
      this.held = false;
      this.socket.uncork();
    });
  }
}
