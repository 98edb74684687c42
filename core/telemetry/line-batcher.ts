/**
 * Collects access lines and hands them to the log destination in few, large writes, the way
 * nginx's `access_log … buffer= flush=` does. Each write to pino's destination (sonic-boom)
 * costs a thread-pool round trip and a copy of the string; one per request cost more than
 * building the line. Lines stay in order and leave at the latest `delayMs` after the first of
 * a batch, or at once when `maxBytes` are waiting, or on `flush()` (shutdown). A crash can lose
 * the last `delayMs` of lines.
 */
export interface LineSink {
  write(text: string): unknown;
}

export interface BatchLimits {
  readonly delayMs: number;
  readonly maxBytes: number;
}

export const DEFAULT_LIMITS: BatchLimits = { delayMs: 20, maxBytes: 64 * 1024 };

export class LineBatcher implements LineSink {
  private pending: string[] = [];
  private length = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly target: LineSink, private readonly limits: BatchLimits = DEFAULT_LIMITS) {}

  write(line: string): boolean {
    this.pending.push(line);
    this.length += line.length;
    if (this.length >= this.limits.maxBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.limits.delayMs);
    return true;
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.length = 0;
    this.target.write(text);
  }
}
