/**
 * Counters of the WebSocket gateway, bumped as frames pass and read by /metrics when scraped.
 * Plain numbers: a frame costs one increment, whoever (if anyone) reads them.
 */
export class WebSocketStats {
  /** Client connections open now (multiplexed and tunnelled). */
  connections = 0;
  /** Client connections accepted since start. */
  accepted = 0;
  /** Frames received from clients. */
  framesFromClients = 0;
  /** Frames sent to clients: relayed from instances, or error frames of the gateway. */
  framesToClients = 0;

  /** Counts a client connection until its socket closes. */
  track(socket: { once(event: 'close', listener: () => void): unknown }): void {
    this.connections++;
    this.accepted++;
    socket.once('close', () => this.connections--);
  }
}
