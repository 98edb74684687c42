/**
 * Collects the access lines of one event-loop turn and hands them to the log destination in
 * one write. pino's destination (sonic-boom) does real work per write: it measures its pending
 * buffer on every call and queues a thread-pool write whenever it is idle, so one write per
 * request cost more than building the line. Lines stay in order, and leave at the latest
 * when the loop turns (`flush` at shutdown); a crash can lose one turn's lines.
 */
export interface LineSink {
  write(text: string): unknown;
}

export class LineBatcher implements LineSink {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly target: LineSink) {}

  write(line: string): boolean {
    this.pending.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return true;
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.target.write(text);
  }
}
