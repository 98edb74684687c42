/** A logger whose output a test can read (to assert what is, and what is never, logged). */
import { Writable } from 'node:stream';
import type { Logger } from '../../core/contracts.js';
import { createLogger, type LogLevel } from '../../core/logger.js';

export interface CapturedLog {
  readonly logger: Logger;
  text(): string;
  lines(): Record<string, unknown>[];
}

export function captureLog(level: LogLevel = 'debug'): CapturedLog {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger(level, sink);
  return {
    logger,
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
