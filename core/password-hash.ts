/**
 * Password hashes for the password plugin: scrypt in PHC string form, so the cost travels with
 * the hash and can be raised without breaking existing users.
 *
 *   $scrypt$ln=15,r=8,p=3$<salt, base64>$<key, base64>
 *
 * The default cost is OWASP's scrypt recommendation (N=2^15, r=8, p=3: about 32 MiB and a few
 * hundred ms). Costs read from a hash are bounded so a hostile config cannot exhaust memory.
 * Comparisons are constant-time.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptCost {
  /** log2 of N. */
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

export const DEFAULT_COST: ScryptCost = { logN: 15, r: 8, p: 3 };

const KEY_BYTES = 32;
const SALT_BYTES = 16;
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})={0,2}\$([A-Za-z0-9+/]{16,})={0,2}$/;

export interface ParsedHash {
  readonly cost: ScryptCost;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function scrypt(password: string, salt: Buffer, length: number, cost: ScryptCost): Promise<Buffer> {
  const N = 2 ** cost.logN;
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCallback(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** Why a cost is refused, or undefined when it is within bounds. */
export function costProblem(cost: ScryptCost): string | undefined {
  if (cost.logN < 1 || cost.logN > 20) return 'ln must be 1…20';
  if (cost.r < 1 || cost.r > 32) return 'r must be 1…32';
  if (cost.p < 1 || cost.p > 16) return 'p must be 1…16';
  if (128 * 2 ** cost.logN * cost.r > 256 * 1024 * 1024) return 'needs more than 256 MiB';
  return undefined;
}

export function isWeakerThanDefault(cost: ScryptCost): boolean {
  return 2 ** cost.logN * cost.r * cost.p < 2 ** DEFAULT_COST.logN * DEFAULT_COST.r * DEFAULT_COST.p;
}

/** Parses a `passwordHash`; throws an Error saying what is wrong (it never contains the hash). */
export function parseHash(text: string): ParsedHash {
  const match = PHC.exec(text.trim());
  if (!match) throw new Error('passwordHash must look like $scrypt$ln=15,r=8,p=3$<salt>$<key> (use `labelgate hash-password`)');
  const cost = { logN: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  const problem = costProblem(cost);
  if (problem) throw new Error(`passwordHash cost: ${problem}`);
  const [salt, key] = text.trim().split('$').slice(3).map((part) => Buffer.from(part, 'base64'));
  return { cost, salt: salt!, key: key! };
}

export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_COST): Promise<string> {
  const problem = costProblem(cost);
  if (problem) throw new Error(`scrypt cost: ${problem}`);
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, KEY_BYTES, cost);
  return `$scrypt$ln=${cost.logN},r=${cost.r},p=${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Constant-time check of a password against a parsed hash. */
export async function verifyPassword(password: string, hash: ParsedHash): Promise<boolean> {
  const key = await scrypt(password, hash.salt, hash.key.length, hash.cost);
  return timingSafeEqual(key, hash.key);
}
