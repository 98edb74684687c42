/**
 * The first-start admin: when the password strategy has no user, a running gateway creates
 * `admin` with a random password, keeps only its scrypt hash in the data dir (mode 0600) and
 * prints the password once, on stderr and never through the logger (logs never hold passwords).
 * Later starts read the hash; deleting the file makes a new password. There is no default password.
 */
import { randomBytes } from 'node:crypto';
import type { DataDir } from './data-dir.js';
import { hashPassword } from './password-hash.js';

export const BOOTSTRAP_ADMIN_FILE = 'bootstrap-admin.hash';

export interface BootstrapUser {
  readonly name: string;
  readonly passwordHash: string;
  readonly admin: boolean;
}

export type Announce = (text: string) => void;

export const announceOnStderr: Announce = (text) => {
  process.stderr.write(text);
};

function notice(password: string, file: string): string {
  return [
    '',
    'labelgate: no password user is configured, so user "admin" was created with the password',
    '',
    `    ${password}`,
    '',
    `It is shown only this once; its hash is kept in ${file}.`,
    'Add your own users to the password strategy (labelgate hash-password), then delete that file.',
    '',
    '',
  ].join('\n');
}

export async function bootstrapAdmin(dataDir: DataDir, announce: Announce = announceOnStderr): Promise<BootstrapUser> {
  const existing = dataDir.read(BOOTSTRAP_ADMIN_FILE);
  if (existing !== undefined) return { name: 'admin', passwordHash: existing, admin: true };
  const password = randomBytes(18).toString('base64url');
  const hash = await hashPassword(password);
  // Exclusive create: when two gateways start together, one password wins and only it is printed.
  const kept = dataDir.keep(BOOTSTRAP_ADMIN_FILE, () => hash);
  if (kept.created) announce(notice(password, dataDir.file(BOOTSTRAP_ADMIN_FILE)));
  return { name: 'admin', passwordHash: kept.value, admin: true };
}
