/**
 * npm run bench [-- NAME…]: runs the benchmark suites (all, or those whose name contains one of
 * the arguments) and prints each as a table with its ratios against a peer measured in the same
 * run. Results are also written to bench/results/latest.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatResult } from './lib/report.js';
import { tasksetAvailable } from './lib/processes.js';
import { SUITES } from './suites.js';

const filters = process.argv.slice(2);
const out: string[] = [`# labelgate benchmarks, ${new Date().toISOString()}`, `node ${process.version}, taskset ${tasksetAvailable() ? 'on' : 'not available'}`, ''];
process.stdout.write(out.join('\n') + '\n');
for (const load of SUITES) {
  const suite = await load();
  if (filters.length > 0 && !filters.some((filter) => suite.name.includes(filter))) continue;
  process.stdout.write(`running ${suite.name}: ${suite.description}\n`);
  const text = formatResult(await suite.run());
  process.stdout.write(text + '\n');
  out.push(text);
}
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');
await mkdir(dir, { recursive: true });
await writeFile(path.join(dir, 'latest.md'), out.join('\n'));
