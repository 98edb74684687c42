/**
 * Collects access lines and hands them to the log destination in few, large writes, the way
 * nginx's `access_log … buffer= flush=` does. Each write to pino's destination (sonic-boom)
 * costs a thread-pool round trip and a copy; one per request cost more than building the line.
 * Lines are encoded into one reused buffer as they come, so the strings die young instead of
 * being kept (and copied by the garbage collector) until the batch leaves. They leave in order,
 * as one string, at the latest `delayMs` after the first line of a batch, when the buffer is
 * full, or on `flush()` (shutdown). A crash can lose the last `delayMs` of lines.
 */
export interface LineSink {
  write(text: string): unknown;
}

export interface BatchLimits {
  readonly delayMs: number;
  readonly maxBytes: number;
}

export const DEFAULT_LIMITS: BatchLimits = { delayMs: 20, maxBytes: 64 * 1024 };

/** A UTF-16 code unit never needs more than 3 bytes of UTF-8. */
const MAX_BYTES_PER_UNIT = 3;

export class LineBatcher implements LineSink {
  private readonly buffer: Buffer;
  private used = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly target: LineSink, private readonly limits: BatchLimits = DEFAULT_LIMITS) {
    this.buffer = Buffer.allocUnsafeSlow(limits.maxBytes);
  }

  write(line: string): boolean {
    const worst = line.length * MAX_BYTES_PER_UNIT;
    if (this.used + worst > this.buffer.length) {
      this.flush();
      if (worst > this.buffer.length) {
        this.target.write(line); // longer than a whole batch: on its own
        return true;
      }
    }
    this.used += this.buffer.write(line, this.used);
    this.timer ??= setTimeout(() => this.flush(), this.limits.delayMs);
    return true;
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.used === 0) return;
    const text = this.buffer.toString('utf8', 0, this.used);
    this.used = 0;
    this.target.write(text);
  }
}
