/** Runs the built CLI as users do, without blocking the test's event loop (servers in the test keep answering). */
import { execFile } from 'node:child_process';
import { CLI } from './paths.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The listener addresses from the start-up line `labelgate start` writes to stdout (a pino JSON line), once it is there. */
export function listeningOn(stdout: string): { url: string; adminUrl: string } | undefined {
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { url?: unknown; admin?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue; // a line still being written
    }
    if (typeof entry.url === 'string' && typeof entry.admin === 'string') return { url: entry.url, adminUrl: entry.admin };
  }
  return undefined;
}
