/**
 * The etcd module (`registry.store: etcd`): one connection to etcd for everything several
 * gateways share. Set up before the registry and security modules, which take what it offers:
 *
 *   EtcdConnection ──► services.etcd ──────────► registry store (core/registry/etcd-store.ts)
 *        ├──────────► EtcdSessionStore ─► services.sessionStore ─► security module (sessions)
 *        ├── started: SharedConfig (pushed gateway.yaml ─► hot reload) ─┐
 *        ├── started: MemberKey (<prefix>members/<id>) ◄─ configRevision / configError
 *        └──────────► GatewayMembers (every members/ entry) ─► services.gatewayPeers ─► gateway heartbeat
 *
 * Ready once the sessions are loaded and the pushed config (if any) is in force; the registry
 * module adds its own first sync. With `registry.store: memory` the module does nothing.
 */
import { GATEWAY_PEERS_SERVICE } from '../gateway-heartbeat.js';
import type { GatewayModule } from '../modules.js';
import { EtcdSessionStore } from '../session/etcd-session-store.js';
import { EtcdConnection } from './connection.js';
import { GatewayMembers } from './gateway-members.js';
import { MemberKey } from './member.js';
import { SharedConfig } from './shared-config.js';

/** The key of `context.services` that holds the connection. */
export const ETCD_SERVICE = 'etcd';
/** The key of `context.services` that holds a shared session store. */
export const SESSION_STORE_SERVICE = 'sessionStore';

export function connectionOf(services: Readonly<Record<string, unknown>>): EtcdConnection {
  const connection = services[ETCD_SERVICE];
  if (!(connection instanceof EtcdConnection)) throw new Error('registry.store is etcd but the etcd module did not set up a connection');
  return connection;
}

export function etcdModule(): GatewayModule {
  let connection: EtcdConnection | undefined;
  let sessions: EtcdSessionStore | undefined;
  let shared: SharedConfig | undefined;
  let member: MemberKey | undefined;
  let peers: GatewayMembers | undefined;

  return {
    name: 'etcd',

    async setup(context) {
      const { registry } = context.initialConfig;
      if (registry.store !== 'etcd') return;
      const logger = context.logger.child({ part: 'etcd' });
      connection = new EtcdConnection(registry.etcd, logger);
      sessions = new EtcdSessionStore(connection, context.logger.child({ part: 'etcd-sessions' }), Date.now, context.initialConfig.security.session.maxSessions);
      await sessions.start();
      context.services[ETCD_SERVICE] = connection;
      context.services[SESSION_STORE_SERVICE] = sessions;
      peers = new GatewayMembers(connection, context.logger.child({ part: 'etcd-members' }));
      void peers.start();
      context.services[GATEWAY_PEERS_SERVICE] = peers;
      logger.info({ endpoints: connection.endpoints, prefix: connection.keys.prefix }, 'sharing registry, labels, sessions and config through etcd');
    },

    async started(context) {
      if (!connection) return;
      const logger = context.logger.child({ part: 'etcd-config' });
      const reporter = new MemberKey(connection, context.addresses, logger);
      member = reporter;
      shared = new SharedConfig(connection, context.reloader, context.setConfigLayer, (status) => reporter.update(status), logger);
      await shared.start();
    },

    ready: () => !connection || ((sessions?.synced ?? false) && (shared?.synced ?? false)),

    async close() {
      shared?.close();
      peers?.close();
      await member?.close();
      connection?.close();
    },
  };
}
