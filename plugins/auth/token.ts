/**
 * `token`: Linkis token authentication (spec/linkis.md §1.5). A request carrying both `Token-Code`
 * and `Token-User` (headers, else cookies) is accepted when the token is configured, not expired,
 * and lists the user and the client's host. The client IP is the socket peer or, behind
 * `server.trustedProxies`, the right-most untrusted hop: never a header the client wrote (Linkis
 * read X-Forwarded-For from anyone).
 *
 * Tokens are looked up by SHA-256 digest, so the lookup time does not depend on how close a guess
 * is, and a token code never appears in a message or a log line (Linkis echoed it). Refusals keep
 * Linkis's 152xx codes.
 */
import { createHash } from 'node:crypto';
import { AddressSet } from '../../core/client-address.js';
import { defineAuth } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import { tokenCredentials } from '../../core/token-credentials.js';

interface TokenOptions {
  readonly name?: string;
  readonly code: string;
  readonly users: readonly string[];
  readonly hosts: readonly string[];
  readonly expires: string | null;
  readonly admin: boolean;
}

interface CompiledToken {
  readonly users: ReadonlySet<string> | 'any';
  readonly hosts: AddressSet | 'any';
  readonly expiresAt: number | undefined;
  readonly admin: boolean;
}

/** Linkis's shipped tokens (CVE-2023-27987) and its install placeholder: refused outright. */
const KNOWN_DEFAULT_CODES = new Set([
  'LINKIS-AUTH', 'WS-AUTH', 'DSS-AUTH', 'QUALITIS-AUTH', 'VALIDATOR-AUTH', 'LINKISCLI-AUTH', 'DSM-AUTH',
  'DOCTOR-AUTH-LEstzFKwKkrALsDOuGg', 'LINKIS-UNAVAILABLE-TOKEN',
]);
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

function digest(code: string): string {
  return createHash('sha256').update(code).digest('base64');
}

function configError(message: string, pointer: string): Error {
  return Object.assign(new Error(message), { pointer });
}

function compileToken(token: TokenOptions, index: number): CompiledToken {
  const at = `/tokens/${index}`;
  if (KNOWN_DEFAULT_CODES.has(token.code)) throw configError(`token ${token.name ?? index} uses a well-known Linkis default code; generate a random one`, `${at}/code`);
  let expiresAt: number | undefined;
  if (token.expires !== null) {
    expiresAt = Date.parse(token.expires);
    if (!ISO_DATE_TIME.test(token.expires) || Number.isNaN(expiresAt)) throw configError(`expires must be an ISO 8601 date-time such as 2027-01-31T00:00:00Z, or null`, `${at}/expires`);
  }
  let hosts: AddressSet | 'any';
  try {
    hosts = token.hosts.includes('*') ? 'any' : new AddressSet(token.hosts);
  } catch (error) {
    throw configError((error as Error).message, `${at}/hosts`);
  }
  return { users: token.users.includes('*') ? 'any' : new Set(token.users), hosts, expiresAt, admin: token.admin };
}

/** The user as shown in a refusal: the client's own input, shortened. */
function shown(user: string): string {
  return user.length > 64 ? `${user.slice(0, 64)}…` : user;
}

export default defineAuth<{ tokens: readonly TokenOptions[] }>({
  kind: 'auth',
  name: 'token',
  version: '1.0.0',
  priority: 0,
  description: 'Linkis Token-Code / Token-User authentication',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      tokens: {
        type: 'array',
        default: [],
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['code', 'users', 'hosts'],
          properties: {
            name: { type: 'string', description: 'for operators; never shown to clients' },
            code: { type: 'string', minLength: 16, description: 'the secret; at least 16 characters' },
            users: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'legal users, or "*"; empty refuses everyone' },
            hosts: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'legal client IPs or CIDRs, or "*"; empty refuses everyone' },
            expires: { type: ['string', 'null'], default: null, description: 'ISO 8601 date-time, or null for never' },
            admin: { type: 'boolean', default: false },
          },
        },
      },
    },
  },
  create(options) {
    const table = new Map<string, CompiledToken>();
    options.tokens.forEach((token, index) => {
      const key = digest(token.code);
      if (table.has(key)) throw configError('two tokens have the same code', `/tokens/${index}/code`);
      table.set(key, compileToken(token, index));
    });
    // Codes that matched once skip the digest next time. Only configured codes ever get in, so a
    // guess always takes the digest path and learns nothing from timing.
    const known = new Map<string, CompiledToken>();
    const lookup = (code: string): CompiledToken | undefined => {
      const hit = known.get(code);
      if (hit) return hit;
      const token = table.get(digest(code));
      if (token) known.set(code, token);
      return token;
    };
    return {
      authenticate(request) {
        const credentials = tokenCredentials(request.headers, request.cookies);
        if (!credentials) return undefined;
        const { user } = credentials;
        const token = lookup(credentials.code);
        if (!token) throw new GatewayError('LG_ERR_TOKEN_UNKNOWN', { user: shown(user) });
        if (token.expiresAt !== undefined && Date.now() > token.expiresAt) throw new GatewayError('LG_ERR_TOKEN_STALE', { user: shown(user) });
        if (token.users !== 'any' && !token.users.has(user)) throw new GatewayError('LG_ERR_TOKEN_ILLEGAL_USER', { user: shown(user) });
        if (token.hosts !== 'any' && !token.hosts.has(request.clientIp)) throw new GatewayError('LG_ERR_TOKEN_ILLEGAL_HOST', { user: shown(user), ip: request.clientIp });
        return { user, admin: token.admin, via: 'token' };
      },
    };
  },
});
