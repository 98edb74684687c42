/**
 * The security module: what authentication needs beyond one config version.
 *
 *   data dir ─► session secret ("auto")     ─┐
 *   session store (memory/etcd) ─► Sessions ─┼─► kit.services.sessions (plugins, endpoints, upstream tickets)
 *   login throttle (survives reloads) ───────┼─► kit.services.loginThrottle
 *   first-start admin (hash in the data dir) ┴─► kit.services.bootstrapAdmin
 *   Linkis user endpoints + gateway heartbeat ─► local endpoints on the public listener
 *
 * Session settings follow hot reloads: each swapped-in config is applied to the Sessions object
 * (a new key is derived only when the secret changed).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { GatewayConfig } from './config-types.js';
import { bootstrapAdmin, type Announce, type BootstrapUser } from './bootstrap-admin.js';
import { DataDir } from './data-dir.js';
import { SESSION_STORE_SERVICE } from './etcd/etcd-module.js';
import { gatewayHeartbeat, peersOf } from './gateway-heartbeat.js';
import { LoginThrottle } from './login-throttle.js';
import type { GatewayModule } from './modules.js';
import { MemorySessionStore, type SessionStore } from './session/session-store.js';
import { Sessions, type SessionSettings } from './session/sessions.js';
import { userEndpoints } from './user-endpoints.js';

export const SESSION_SECRET_FILE = 'session-secret';

export interface SecurityModuleOptions {
  /** Where the first-start admin password is printed (stderr by default). */
  readonly announce?: Announce;
  /** A shared store (etcd) instead of memory. */
  readonly store?: SessionStore;
}

export function securityModule(options: SecurityModuleOptions = {}): GatewayModule {
  let store: SessionStore | undefined;
  return {
    name: 'security',
    setup(context) {
      const dataDir = new DataDir(path.resolve(context.configDir, context.initialConfig.dataDir));
      const settings = (config: GatewayConfig): SessionSettings => {
        const session = config.security.session;
        const secret = session.secret === 'auto'
          ? dataDir.keep(SESSION_SECRET_FILE, () => randomBytes(48).toString('base64url')).value
          : session.secret;
        return { cookie: session.cookie, ttl: session.ttl, secure: session.secure, secret };
      };
      // In etcd mode the etcd module offers a store every gateway shares (core/etcd/etcd-module.ts).
      store = options.store ?? (context.services[SESSION_STORE_SERVICE] as SessionStore | undefined)
        ?? new MemorySessionStore(context.initialConfig.security.session.ttl / 10, Date.now, context.initialConfig.security.session.maxSessions);
      const sessions = new Sessions(store, settings(context.initialConfig));
      let admin: Promise<BootstrapUser> | undefined;
      Object.assign(context.services, {
        sessions,
        loginThrottle: new LoginThrottle(),
        bootstrapAdmin: () => (admin ??= bootstrapAdmin(dataDir, options.announce)),
      });
      context.onSwap((next) => {
        try {
          sessions.apply(settings(next.config));
        } catch (error) {
          context.logger.error({ err: error }, 'session settings of the new config could not be applied; the previous ones stay');
        }
      });
      for (const endpoint of userEndpoints(sessions)) context.localEndpoints.add(endpoint);
      context.localEndpoints.add(gatewayHeartbeat(context.registry, () => context.addresses.gateway, () => peersOf(context.services)));
    },
    async close() {
      await store?.close();
    },
  };
}
