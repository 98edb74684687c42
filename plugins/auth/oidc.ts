/**
 * `oidc`: bearer JWTs from an OpenID Connect provider (`Authorization: Bearer <jwt>`), verified
 * with jose against the provider's JWKS.
 *
 * - Only asymmetric algorithms from `algorithms` are accepted: `alg: none`, and HS256 signed with
 *   the public key, are refused (S26). `issuer` and `audience` are required; `clockSkew` bounds
 *   exp/nbf leeway.
 * - The JWKS is fetched over HTTPS (plain HTTP only for loopback), cached (`jwksCacheMaxAge`) and
 *   shared across hot reloads; an unknown `kid` refetches it at most once per `jwksCooldown`.
 *   Keys come only from that set, so a `kid` is never a path.
 * - An invalid token is the generic 401; an unreachable JWKS fails closed (401, logged). Neither
 *   the token nor any key material is logged or echoed.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { duration } from '../../core/config-schema.js';
import { defineAuth } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import { isLoopbackHost } from '../../core/security-checks.js';

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
const MAX_JWT_CHARS = 16 * 1024;
/** jose errors that mean "this token is not acceptable"; any other error is an outage (JWKS unreachable …). */
const TOKEN_REFUSALS = new Set([
  'ERR_JWT_EXPIRED', 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'ERR_JWT_INVALID', 'ERR_JWS_INVALID', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED', 'ERR_JOSE_NOT_SUPPORTED', 'ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

interface OidcOptions {
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string | readonly string[];
  readonly algorithms: readonly string[];
  readonly clockSkew: number;
  readonly userClaim: string;
  readonly groupsClaim: string;
  readonly adminGroups: readonly string[];
  readonly jwksCacheMaxAge: number;
  readonly jwksCooldown: number;
  readonly jwksTimeout: number;
}

type RemoteSet = ReturnType<typeof createRemoteJWKSet>;
/** One remote key set per URL and settings, kept across config versions so a reload does not refetch. */
const keySets = new Map<string, RemoteSet>();

function keySetFor(options: OidcOptions): RemoteSet {
  const key = JSON.stringify([options.jwksUrl, options.jwksCacheMaxAge, options.jwksCooldown, options.jwksTimeout]);
  let set = keySets.get(key);
  if (!set) {
    set = createRemoteJWKSet(new URL(options.jwksUrl), {
      cacheMaxAge: options.jwksCacheMaxAge, cooldownDuration: options.jwksCooldown, timeoutDuration: options.jwksTimeout,
    });
    keySets.set(key, set);
  }
  return set;
}

function checkJwksUrl(text: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw Object.assign(new Error(`jwksUrl "${text}" is not a URL`), { pointer: '/jwksUrl' });
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return;
  throw Object.assign(new Error('jwksUrl must use https (plain http only for a loopback address)'), { pointer: '/jwksUrl' });
}

function bearer(header: string | undefined): string | undefined {
  if (header === undefined || !/^bearer /i.test(header)) return undefined;
  return header.slice(7).trim();
}

function isAdmin(payload: JWTPayload, options: OidcOptions): boolean {
  if (options.adminGroups.length === 0) return false;
  const groups = payload[options.groupsClaim];
  const list = Array.isArray(groups) ? groups : typeof groups === 'string' ? [groups] : [];
  return list.some((group) => typeof group === 'string' && options.adminGroups.includes(group));
}

export default defineAuth<OidcOptions>({
  kind: 'auth',
  name: 'oidc',
  version: '1.0.0',
  priority: 0,
  description: 'Bearer JWTs verified against an OpenID Connect provider\'s JWKS',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['jwksUrl', 'issuer', 'audience'],
    properties: {
      jwksUrl: { type: 'string', minLength: 1 },
      issuer: { type: 'string', minLength: 1 },
      audience: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }] },
      algorithms: { type: 'array', minItems: 1, items: { enum: [...ASYMMETRIC] }, default: ['RS256', 'ES256'] },
      clockSkew: duration('30s'),
      userClaim: { type: 'string', minLength: 1, default: 'sub' },
      groupsClaim: { type: 'string', minLength: 1, default: 'groups' },
      adminGroups: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
      jwksCacheMaxAge: duration('10m'),
      jwksCooldown: duration('30s'),
      jwksTimeout: duration('5s'),
    },
  },
  create(options, kit) {
    checkJwksUrl(options.jwksUrl);
    const keys = keySetFor(options);
    const verifyOptions = {
      issuer: options.issuer,
      audience: options.audience as string | string[],
      algorithms: [...options.algorithms],
      clockTolerance: Math.round(options.clockSkew / 1000),
    };
    return {
      async authenticate(request) {
        const jwt = bearer(request.headers.authorization);
        if (jwt === undefined) return undefined;
        if (jwt.length > MAX_JWT_CHARS) throw new GatewayError('LG_ERR_AUTH_REQUIRED');
        let payload: JWTPayload;
        try {
          ({ payload } = await jwtVerify(jwt, keys, verifyOptions));
        } catch (error) {
          // A JWKS that cannot be fetched is an outage, not a bad token: fail closed and say so in the log.
          if (error instanceof joseErrors.JOSEError && TOKEN_REFUSALS.has(error.code)) {
            kit.logger.debug({ reason: error.code }, 'bearer token refused');
            throw new GatewayError('LG_ERR_AUTH_REQUIRED');
          }
          throw error;
        }
        const user = payload[options.userClaim];
        if (typeof user !== 'string') throw new GatewayError('LG_ERR_AUTH_REQUIRED');
        return { user, admin: isAdmin(payload, options), via: 'oidc' };
      },
    };
  },
});
