/**
 * A fake OpenID Connect provider for tests: an RS256 key pair, its JWKS served on 127.0.0.1
 * (fetches counted), and a signer for tokens with the usual claims.
 */
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type CryptoKey, type KeyObject } from 'jose';
import { startUpstream, type Upstream } from './upstream.js';

export const ISSUER = 'https://idp.example';
export const AUDIENCE = 'labelgate';

export interface TestIdp {
  readonly jwksUrl: string;
  readonly upstream: Upstream;
  readonly publicKey: CryptoKey | KeyObject;
  /** How many times the JWKS was fetched. */
  fetches(): number;
  sign(claims?: JWTPayload, options?: { kid?: string; alg?: string; expiresIn?: string | number; notBefore?: string | number; issuer?: string; audience?: string }): Promise<string>;
  /** The YAML of an oidc strategy (a list item under `security.auth`). */
  strategy(extra?: string): string;
}

export async function startIdp(t: { teardown(fn: () => unknown): void }): Promise<TestIdp> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  let fetches = 0;
  const upstream = await startUpstream('idp', (_req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  t.teardown(() => upstream.close());
  const jwksUrl = `${upstream.url}/jwks`;
  return {
    jwksUrl,
    upstream,
    publicKey,
    fetches: () => fetches,
    async sign(claims = {}, options = {}) {
      const jwt = new SignJWT({ sub: 'alice', ...claims })
        .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'key-1' })
        .setIssuer(options.issuer ?? ISSUER)
        .setAudience(options.audience ?? AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m');
      if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
      return jwt.sign(privateKey);
    },
    strategy: (extra = '') => `    - use: oidc\n      options: { jwksUrl: "${jwksUrl}", issuer: "${ISSUER}", audience: ${AUDIENCE}${extra} }\n`,
  };
}
