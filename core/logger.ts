/** The process logger (pino). Secrets are redacted by path as a second line of defence (S26). */
import { pino } from 'pino';
import type { Logger } from './contracts.js';

export const REDACTED_PATHS = [
  'req.headers.cookie', 'req.headers.authorization', 'req.headers["token-code"]', 'headers.cookie',
  'headers.authorization', 'headers["token-code"]', 'password', '*.password', 'token', '*.token', 'ticket', '*.ticket',
];

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export function createLogger(level: LogLevel = 'info', destination?: NodeJS.WritableStream): Logger & { level: string } {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { name: 'labelgate' } }, destination as never) as never;
}

/**
 * The same logger writing at info whatever `log.level` says, short of `silent`: for the start-up
 * line that operators and scripts wait for, so it is a JSON line like every other one on stdout.
 */
export function alwaysInfo(logger: Logger): Logger {
  const underlying = logger as unknown as { level?: string; child(bindings: object, options?: { level: string }): Logger };
  return underlying.level === 'silent' ? logger : underlying.child({}, { level: 'info' });
}
