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
