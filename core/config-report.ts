/**
 * A refused config as a person reads it, the same text in `labelgate check`, `start`, `config
 * push`, the refused-reload log line and `/admin/config` (`error.report`):
 *
 *   FILE:LINE:COL CODE message          the first problem of each document,
 *      7 | server: { port: ${PORT} }    with its source line
 *        |                  ^^^^^^^     and a caret under the offending text
 *   FILE:LINE:COL CODE message          then at most MORE_PER_DOCUMENT more, one line each
 *   … and 218 more errors in FILE       and how many were left out
 *
 * One broken token makes the YAML parser report every token after it; those follow-ups say
 * nothing the first one does not, so they are counted rather than printed.
 */
import type { ConfigProblem } from './config-errors.js';

const MORE_PER_DOCUMENT = 3;
/** Source lines longer than this are cut around the caret (a minified or one-line document). */
const MAX_SOURCE = 120;

export function formatProblem(problem: Pick<ConfigProblem, 'file' | 'line' | 'column' | 'message'> & { readonly code: string }): string {
  return `${problem.file}:${problem.line}:${problem.column} ${problem.code} ${problem.message}`;
}

function excerpt(source: string, column: number): { text: string; caretAt: number } {
  if (source.length <= MAX_SOURCE) return { text: source, caretAt: column - 1 };
  const start = Math.max(0, Math.min(column - 1 - MAX_SOURCE / 2, source.length - MAX_SOURCE));
  const end = Math.min(source.length, start + MAX_SOURCE);
  const head = start > 0 ? '…' : '';
  return { text: `${head}${source.slice(start, end)}${end < source.length ? '…' : ''}`, caretAt: column - 1 - start + head.length };
}

/** The source line and a caret under the problem, indented under its `FILE:LINE:COL` line. */
function sourceLines(problem: ConfigProblem): string[] {
  if (problem.source === undefined) return [];
  const { text, caretAt } = excerpt(problem.source, problem.column);
  const gutter = String(problem.line);
  const width = Math.max(1, Math.min(problem.width ?? 1, text.length - caretAt));
  // Tabs stay tabs so the caret lines up however the terminal expands them.
  const pad = text.slice(0, caretAt).replace(/[^\t]/g, ' ');
  return [`  ${gutter} | ${text}`, `  ${' '.repeat(gutter.length)} | ${pad}${'^'.repeat(width)}`];
}

export function formatConfigReport(problems: readonly ConfigProblem[]): string {
  const byFile = new Map<string, ConfigProblem[]>();
  for (const problem of problems) {
    const list = byFile.get(problem.file);
    if (list) list.push(problem);
    else byFile.set(problem.file, [problem]);
  }
  const lines: string[] = [];
  for (const [file, list] of byFile) {
    const [first, ...rest] = list;
    lines.push(formatProblem(first!), ...sourceLines(first!));
    for (const problem of rest.slice(0, MORE_PER_DOCUMENT)) lines.push(formatProblem(problem));
    const left = rest.length - MORE_PER_DOCUMENT;
    if (left > 0) lines.push(`… and ${left} more error${left === 1 ? '' : 's'} in ${file}`);
  }
  return lines.join('\n');
}
