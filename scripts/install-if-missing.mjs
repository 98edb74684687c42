#!/usr/bin/env node
/**
 * Runs before `npm start` and `npm test`, so that on a fresh clone those two commands are all
 * the set-up there is: installs the locked dependencies (`npm ci`) when they are not there yet.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(new URL('../node_modules/.package-lock.json', import.meta.url))) {
  process.stdout.write('labelgate: installing dependencies (npm ci)…\n');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
}
