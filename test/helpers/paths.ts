/** Locations in the repository, for tests that read shipped files (README, config, examples). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/…). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const CLI = path.join(REPO_ROOT, 'dist/core/cli.js');

export function repoPath(...segments: string[]): string {
  return path.join(REPO_ROOT, ...segments);
}
