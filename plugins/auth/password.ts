/**
 * `password`: user names and scrypt password hashes for POST /api/rest_j/v1/user/login.
 *
 * - No default password: hashes come from `labelgate hash-password`. With no user configured, a
 *   running gateway creates one `admin` user with a random password (kept hashed in the data dir,
 *   printed once: core/bootstrap-admin.ts).
 * - An unknown user costs the same scrypt work as a known one, and keys are compared in constant
 *   time, so timing tells nothing about which users exist.
 * - `maxFailures` failed logins per user and client IP within `failureWindow` → 429 with
 *   Retry-After, checked before any hashing.
 */
import { randomBytes } from 'node:crypto';
import { duration } from '../../core/config-schema.js';
import { defineAuth, type PluginKit } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import { LoginThrottle } from '../../core/login-throttle.js';
import { DEFAULT_COST, hashPassword, isWeakerThanDefault, parseHash, verifyPassword, type ParsedHash, type ScryptCost } from '../../core/password-hash.js';

export interface PasswordUser {
  readonly name: string;
  readonly passwordHash: string;
  readonly admin: boolean;
}

interface PasswordOptions {
  readonly users: readonly PasswordUser[];
  readonly maxFailures: number;
  readonly failureWindow: number;
}

/** One decoy hash per cost, shared by every instance: verified against when the user is unknown. */
const decoys = new Map<string, Promise<ParsedHash>>();

function decoyFor(cost: ScryptCost): Promise<ParsedHash> {
  const key = `${cost.logN},${cost.r},${cost.p}`;
  let decoy = decoys.get(key);
  if (!decoy) {
    decoy = hashPassword(randomBytes(16).toString('hex'), cost).then(parseHash);
    decoys.set(key, decoy);
  }
  return decoy;
}

function compileUsers(users: readonly PasswordUser[], kit: PluginKit): Map<string, { hash: ParsedHash; admin: boolean }> {
  const compiled = new Map<string, { hash: ParsedHash; admin: boolean }>();
  users.forEach((user, index) => {
    if (compiled.has(user.name)) throw Object.assign(new Error(`user ${user.name} is listed twice`), { pointer: `/users/${index}/name` });
    let hash: ParsedHash;
    try {
      hash = parseHash(user.passwordHash);
    } catch (error) {
      throw Object.assign(new Error(`user ${user.name}: ${(error as Error).message}`), { pointer: `/users/${index}/passwordHash` });
    }
    if (isWeakerThanDefault(hash.cost)) kit.logger.warn({ user: user.name }, 'password hash is cheaper than the default scrypt cost; re-hash it with `labelgate hash-password`');
    compiled.set(user.name, { hash, admin: user.admin });
  });
  return compiled;
}

export default defineAuth<PasswordOptions>({
  kind: 'auth',
  name: 'password',
  version: '1.0.0',
  priority: 0,
  description: 'User names and scrypt password hashes for the Linkis login endpoint',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      users: {
        type: 'array',
        default: [],
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'passwordHash'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 256 },
            passwordHash: { type: 'string', description: 'from `labelgate hash-password`' },
            admin: { type: 'boolean', default: false },
          },
        },
      },
      maxFailures: { type: 'integer', minimum: 1, default: 5 },
      failureWindow: duration('1m'),
    },
  },
  async create(options, kit) {
    const users = compileUsers(options.users, kit);
    if (users.size === 0) {
      const bootstrap = kit.services.bootstrapAdmin as (() => Promise<PasswordUser>) | undefined;
      if (bootstrap) users.set('admin', { hash: parseHash((await bootstrap()).passwordHash), admin: true });
    }
    // The decoy has the cost of a real user's hash so both paths take as long; computed in the background.
    const decoy = decoyFor(users.values().next().value?.hash.cost ?? DEFAULT_COST);
    decoy.catch(() => undefined);
    // Shared by the service so a hot reload does not forget who is locked out.
    const throttle = (kit.services.loginThrottle as LoginThrottle | undefined) ?? new LoginThrottle();
    return {
      async login({ userName, password }, request) {
        const key = `${userName}\u0000${request.clientIp}`;
        const wait = throttle.retryAfter(key, options.maxFailures, options.failureWindow);
        if (wait > 0) throw new GatewayError('LG_ERR_LOGIN_THROTTLED', { seconds: wait }, { data: { retryAfter: wait } });
        const user = users.get(userName);
        const matches = await verifyPassword(password, user?.hash ?? await decoy);
        if (!user || !matches) {
          throttle.fail(key, options.failureWindow);
          return undefined;
        }
        throttle.succeed(key);
        return { user: userName, admin: user.admin, via: 'password' };
      },
    };
  },
});
