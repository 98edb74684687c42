#!/usr/bin/env node
/**
 * Runs before `npm test`. The tests run compiled JavaScript, so package.json turns tap's
 * TypeScript plugin off. After a fresh `npm ci`, tap's built plugin set still contains it, and
 * tap only rebuilds the set during its first run, too late: that run still loads ts-node's
 * loader, which treats the plain `.js` plugin files tests write into temporary directories as
 * CommonJS. Rebuild the set first when it does not match the configuration.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const built = path.join(path.dirname(require.resolve('@tapjs/test/package.json')), 'test-built', 'src', 'index.ts');
const wanted = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).tap?.plugin ?? [];
const excluded = wanted.filter((name) => name.startsWith('!')).map((name) => name.slice(1));
const stale = !existsSync(built) || excluded.some((name) => readFileSync(built, 'utf8').includes(`from "${name}"`));
if (stale) {
  process.stdout.write('tap: rebuilding the plugin set for package.json\'s "tap.plugin" setting\n');
  const result = spawnSync('npx', ['tap', 'build'], { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
}
