/**
 * The registry module: opens the store, mirrors it, and wires the mirror into everything that
 * reads the registry.
 *
 *   store ──watch──► RegistryMirror ──► composer source `store` + label lookup ──► router snapshot
 *                          │        └─► Eureka reads (/eureka/…)      (rebuilt once per tick of changes)
 *   Eureka writes ─────────┤
 *   label APIs ────────────┘   (/admin/labels, /admin/instances, /api/rest_j/v1/microservice/…)
 *   upstream Eureka servers ──────► composer sources `upstream:<url>`
 *        ◄── `announce`: this gateway registered there as linkis-mg-gateway (core/registry/upstream-announce.ts)
 *
 * The router only ever reads the composed snapshot: no request does registry I/O.
 */
import { ConfigError } from '../config-errors.js';
import type { GatewayModule } from '../modules.js';
import { EurekaReads } from './eureka-reads.js';
import { eurekaAdminModule } from './eureka-routes.js';
import { EurekaWrites } from './eureka-writes.js';
import { ViewCache } from './instance-views.js';
import { labelAdminModule } from './label-admin-routes.js';
import { LabelService } from './label-service.js';
import { microserviceEndpoints } from './microservice-endpoints.js';
import { RegistryMirror } from './mirror.js';
import { STORES } from './stores.js';
import type { RegistryStore } from './store.js';
import { UpstreamAnnouncement } from './upstream-announce.js';
import { UpstreamEureka } from './upstream-eureka.js';

/** Composer source name of the store's instances. */
export const STORE_SOURCE = 'store';

export interface RegistryServices {
  readonly store: RegistryStore;
  readonly mirror: RegistryMirror;
  readonly labels: LabelService;
}

export function createRegistryModule(): GatewayModule {
  let store: RegistryStore | undefined;
  let mirror: RegistryMirror | undefined;
  const upstreams: UpstreamEureka[] = [];
  const announcements: UpstreamAnnouncement[] = [];
  let announceTo: string[] = [];

  return {
    name: 'registry',

    async setup(context) {
      const config = context.initialConfig;
      const factory = STORES[config.registry.store];
      if (!factory) {
        throw new ConfigError([{
          code: 'LG_ERR_CONFIG_INVALID', file: context.configFile, line: 1, column: 1, pointer: '/registry/store',
          message: `the "${config.registry.store}" registry store is not available in this build`,
        }]);
      }
      store = await factory({ config, configDir: context.configDir, logger: context.logger, services: context.services });
      mirror = new RegistryMirror(store, config.registry.eureka.deltaRetention, context.logger.child({ part: 'registry' }), config.registry.etcd.timeout);
      await mirror.start();
      const current = mirror;

      const views = new ViewCache('eureka');
      const publishInstances = () => context.registry.setSource(STORE_SOURCE, views.viewsOf([...current.instances()].map((served) => served.record)));
      publishInstances();
      context.registry.setLabelLookup((appKey, hostPort) => current.labelsOf(appKey, hostPort)?.labels, () => current.labels());
      // Changes arriving in one tick (a burst of registrations) make one new snapshot.
      let pending: { instances: boolean } | undefined;
      current.onChange((change) => {
        if (pending) {
          pending.instances ||= change.instances;
          return;
        }
        pending = { instances: change.instances };
        queueMicrotask(() => {
          const { instances } = pending!;
          pending = undefined;
          if (instances) publishInstances();
          else context.registry.rebuild();
        });
      });

      const labels = new LabelService(store, current, context.registry);
      const writes = new EurekaWrites(store, current, { leaseSeconds: config.registry.eureka.leaseSeconds });
      context.services.registry = { store, mirror: current, labels } satisfies RegistryServices;
      context.adminModules.push(eurekaAdminModule({
        reads: new EurekaReads(current),
        writes,
      }));
      context.adminModules.push(labelAdminModule({ labels, registry: context.registry, store }));
      for (const endpoint of microserviceEndpoints({ labels, registry: context.registry, mirror: current })) context.localEndpoints.add(endpoint);

      for (const source of config.registry.upstreamEureka) {
        const upstream = new UpstreamEureka(source, (instances) => context.registry.setSource(upstream.name, instances), context.logger);
        upstreams.push(upstream);
      }
      announceTo = config.registry.upstreamEureka.filter((source) => source.announce).map((source) => source.url);
    },

    started(context) {
      for (const upstream of upstreams) upstream.start();
      for (const url of announceTo) {
        const announcement = new UpstreamAnnouncement(url, context.addresses.gateway, context.logger.child({ part: 'upstream-announce' }));
        announcements.push(announcement);
        announcement.start();
      }
    },

    ready: () => mirror?.synced ?? false,

    async close() {
      await Promise.all(announcements.map((announcement) => announcement.close()));
      for (const upstream of upstreams) upstream.close();
      mirror?.close();
      await store?.close();
    },
  };
}
