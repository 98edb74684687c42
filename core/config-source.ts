/**
 * The source line a config problem is shown with (core/config-report.ts). The report reaches the
 * log and /admin/config, and logs never carry secrets (S26): on the line, the value of a key
 * named like a secret (or `code`, the key of a token's code) is masked, but for the names in its `${VAR}` references. The mask keeps
 * the length, so a caret after it still lines up.
 */
import type { LineCounter } from 'yaml';

const SECRET_VALUE = /(\b(?:[\w-]*(?:secret|token|password|passwd|credential|key)s?[\w-]*|code)["']?\s*:[ \t]+)("[^"]*"?|'[^']*'?|(?:\$\{[^}\n]*\}|[^\s,#[\]{}])(?:\$\{[^}\n]*\}|[^,#\]}])*)/gi;
const ONLY_REFERENCES = /^["']?(?:\$\{[^}]*\}\s*)+["']?$/;

export function redactSecrets(line: string): string {
  return line.replace(SECRET_VALUE, (_whole, key: string, value: string) => {
    const trimmed = value.trimEnd();
    // A variable's name is not a secret, its default (`${SECRET:-…}`) may be.
    if (ONLY_REFERENCES.test(trimmed)) return key + value.replace(/:-[^}]*/g, (fallback) => `:-${'*'.repeat(fallback.length - 2)}`);
    return key + '*'.repeat(trimmed.length) + value.slice(trimmed.length);
  });
}

/** Line `line` (1-based) of `text`, without its line break, secrets masked. */
export function sourceLine(text: string, lines: LineCounter, line: number): string | undefined {
  const start = lines.lineStarts[line - 1];
  if (start === undefined) return undefined;
  const next = lines.lineStarts[line];
  return redactSecrets(text.slice(start, next ?? text.length).replace(/\r?\n$/, ''));
}
