/** What a config's full build (`labelgate check`) reports, for tests of config-time refusals. */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type ConfigProblem } from '../../core/config-errors.js';
import { buildOffline } from '../../core/offline-pipeline.js';
import { makeTempDir, withTestListeners } from './gateway.js';

/** The problems of building `yaml` (test listeners added, `files` written beside it), or [] when it builds. */
export async function buildProblems(yaml: string, files: Record<string, string> = {}): Promise<ConfigProblem[]> {
  const dir = await makeTempDir();
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  const file = path.join(dir, 'gateway.yaml');
  await writeFile(file, withTestListeners(yaml));
  try {
    const offline = await buildOffline(file, {});
    await offline.close();
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
