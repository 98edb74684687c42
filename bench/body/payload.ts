/**
 * Job submissions for the body benchmarks, shaped like a generated batch job rather than one
 * long string: SQL text, a map of job variables and the route label. Half of the bytes are
 * small objects and short strings, which is what makes JSON.parse expensive.
 */

function variables(bytes: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0, used = 0; used < bytes; i++) {
    const value = `v${i.toString(36)}-${'abcdefghij'.repeat(1 + (i % 3))}`;
    out[`var_${i}`] = value;
    used += value.length + 12;
  }
  return out;
}

/** A submit of exactly `size` bytes (at least ~200) with `labels.route` set to `route`. */
export function submitPayload(size: number, route = 'bench'): string {
  const build = (code: string, vars: Record<string, string>) => JSON.stringify({
    executionContent: { code, runType: 'sql' },
    params: { variable: vars, configuration: { runtime: { 'wds.linkis.rm.yarnqueue': 'default' } } },
    source: { scriptPath: '/tmp/bench.sql' },
    labels: { route, engineType: 'spark-3.2.1', userCreator: 'hadoop-IDE' },
  });
  const vars = variables(Math.max(0, size / 2 - 200));
  const line = 'select id, name, amount from sales where region = \'north\' and amount > 100; ';
  const base = Buffer.byteLength(build('', vars));
  const room = size - base;
  if (room < 0) return build('', variables(0)).padEnd(size, ' ');
  return build(line.repeat(Math.floor(room / line.length)).padEnd(room, '-'), vars);
}
