/** Benchmark results: measured rows and the ratios that carry the goals, printed as tables. */

export interface BenchRow {
  readonly label: string;
  readonly values: Readonly<Record<string, number | string>>;
}

export interface BenchRatio {
  readonly label: string;
  readonly value: number;
  /** e.g. ">= 1.5" or "<= 1.05"; checked and shown as ok/MISSED. */
  readonly goal?: string;
}

export interface BenchResult {
  readonly title: string;
  readonly rows: readonly BenchRow[];
  readonly ratios: readonly BenchRatio[];
  readonly notes?: readonly string[];
}

export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(): Promise<BenchResult>;
}

/** The p-th percentile (nearest rank) of ascending values. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function meetsGoal(value: number, goal: string | undefined): boolean | undefined {
  if (!goal) return undefined;
  const match = /^(>=|<=|>|<)\s*([\d.]+)$/.exec(goal.trim());
  if (!match) return undefined;
  const limit = Number(match[2]);
  switch (match[1]) {
    case '>=': return value >= limit;
    case '<=': return value <= limit;
    case '>': return value > limit;
    default: return value < limit;
  }
}

function formatValue(value: number | string): string {
  if (typeof value === 'string') return value;
  if (Number.isInteger(value)) return String(value);
  return value >= 100 ? value.toFixed(0) : value.toFixed(2);
}

export function formatResult(result: BenchResult): string {
  const columns = [...new Set(result.rows.flatMap((row) => Object.keys(row.values)))];
  const header = ['', ...columns];
  const body = result.rows.map((row) => [row.label, ...columns.map((c) => (row.values[c] === undefined ? '' : formatValue(row.values[c]!)))]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((line) => line[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  const out = [`## ${result.title}`, line(header), ...body.map(line), ''];
  for (const ratio of result.ratios) {
    const ok = meetsGoal(ratio.value, ratio.goal);
    out.push(`ratio  ${ratio.label}: ${ratio.value.toFixed(2)}${ratio.goal ? `  (goal ${ratio.goal}: ${ok ? 'ok' : 'MISSED'})` : ''}`);
  }
  for (const note of result.notes ?? []) out.push(`note   ${note}`);
  return out.join('\n') + '\n';
}
