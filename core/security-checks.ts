/**
 * Config checks that keep a deployment from starting (or a reload from applying) in an unsafe
 * state. They run in every pipeline build, so `labelgate check`, start-up and hot reload agree.
 *
 * - `security.session.secret` is "auto" or at least 32 characters (a short key makes tickets
 *   forgeable: Linkis's default `bdp-for-server` was exactly that); with the etcd store, where
 *   gateways share sessions, it must be one explicit value.
 * - An admin listener off loopback needs a strong `admin.token` and `registry.eureka.auth`;
 *   otherwise anyone on the network could read the admin API or register an instance and take
 *   its traffic (S2: APISIX CVE-2020-13945, Kong CVE-2020-11710).
 * - CORS never combines `*` with credentials; every origin is a real origin.
 */
import { isIP } from 'node:net';
import type { ProblemList } from './config-errors.js';
import type { GatewayConfig } from './config-types.js';
import { canonicalOrigin } from './cors.js';

export const MIN_SECRET_LENGTH = 32;
export const MIN_ADMIN_TOKEN_LENGTH = 32;
export const MIN_EUREKA_PASSWORD_LENGTH = 16;

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice(7) : bare;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

function checkSessionSecret(config: GatewayConfig, problems: ProblemList): void {
  const { secret } = config.security.session;
  if (secret !== 'auto' && secret.length < MIN_SECRET_LENGTH) {
    problems.add('LG_ERR_CONFIG_SESSION_SECRET', '/security/session/secret', { length: secret.length });
  }
  // Each gateway would generate its own key, and a cookie from one would be refused by the others.
  if (secret === 'auto' && config.registry.store === 'etcd') problems.add('LG_ERR_CONFIG_SESSION_SECRET_SHARED', '/security/session/secret');
}

/** `boundHost`: where the admin listener actually listens (fixed at start; the file may differ later). */
function checkAdminExposure(config: GatewayConfig, problems: ProblemList, boundHost: string): void {
  const hosts = new Set([boundHost, config.admin.host]);
  for (const host of hosts) {
    if (isLoopbackHost(host)) continue;
    const { token } = config.admin;
    if (token.length < MIN_ADMIN_TOKEN_LENGTH) {
      const reason = token === '' ? 'admin.token must be set' : `admin.token must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`;
      problems.add('LG_ERR_CONFIG_ADMIN_EXPOSED', '/admin/host', { host, reason });
    }
    const eureka = config.registry.eureka.auth;
    if (!eureka) problems.add('LG_ERR_CONFIG_ADMIN_EXPOSED', '/admin/host', { host, reason: 'registry.eureka.auth {user, password} must be set' });
    else if (eureka.password.length < MIN_EUREKA_PASSWORD_LENGTH) {
      problems.add('LG_ERR_CONFIG_ADMIN_EXPOSED', '/registry/eureka/auth/password', { host, reason: `registry.eureka.auth.password must be at least ${MIN_EUREKA_PASSWORD_LENGTH} characters` });
    }
    return;
  }
}

function checkCors(config: GatewayConfig, problems: ProblemList): void {
  const { origins, credentials } = config.security.cors;
  origins.forEach((origin, index) => {
    const pointer = `/security/cors/origins/${index}`;
    if (origin === '*') {
      if (credentials) problems.add('LG_ERR_CONFIG_INVALID', pointer, { reason: 'security.cors.origins: "*" cannot be used with credentials: true; list the origins' });
    } else if (canonicalOrigin(origin) === undefined) {
      problems.add('LG_ERR_CONFIG_INVALID', pointer, { reason: `security.cors.origins: "${origin}" is not an origin such as https://app.example.com` });
    }
  });
}

export function checkSecurityConfig(config: GatewayConfig, problems: ProblemList, boundAdminHost = config.admin.host): void {
  checkSessionSecret(config, problems);
  checkAdminExposure(config, problems, boundAdminHost);
  checkCors(config, problems);
  if (config.security.referer.enabled && config.security.referer.allow.length === 0) {
    problems.add('LG_ERR_CONFIG_INVALID', '/security/referer/allow', { reason: 'security.referer.enabled needs at least one allowed host' });
  }
}
