/**
 * Registry stores by `registry.store` name; everything above the store interface is the same for
 * all. The etcd store uses the connection the etcd module opened (core/etcd/etcd-module.ts).
 */
import path from 'node:path';
import type { Logger } from '../contracts.js';
import type { GatewayConfig } from '../config-types.js';
import { connectionOf } from '../etcd/etcd-module.js';
import { EtcdStore } from './etcd-store.js';
import { MemoryStore } from './memory-store.js';
import type { RegistryStore } from './store.js';

export interface StoreContext {
  readonly config: GatewayConfig;
  /** Relative paths (labels.file) are resolved against the config file's directory. */
  readonly configDir: string;
  readonly logger: Logger;
  /** What modules set up before the registry offer (the etcd connection). */
  readonly services: Readonly<Record<string, unknown>>;
}

export type StoreFactory = (context: StoreContext) => Promise<RegistryStore>;

export const STORES: Readonly<Record<string, StoreFactory>> = {
  memory: ({ config, configDir, logger }) => {
    const eureka = config.registry.eureka;
    return MemoryStore.open({
      labelsFile: path.resolve(configDir, config.labels.file),
      evictionIntervalMs: eureka.evictionInterval,
      ...(eureka.selfPreservation ? {
        selfPreservation: {
          renewalPercentThreshold: eureka.renewalPercentThreshold,
          windowMs: eureka.renewalWindow,
          expectedRenewIntervalMs: eureka.expectedRenewInterval,
        },
      } : {}),
      logger,
    });
  },
  etcd: async ({ config, services, logger }) => {
    // Leases expire in etcd, which has no notion of renewal rates (spec eureka-and-etcd.md §10).
    if (config.registry.eureka.selfPreservation) logger.warn('registry.eureka.selfPreservation has no effect with registry.store: etcd');
    return new EtcdStore(connectionOf(services), logger.child({ part: 'etcd-registry' }));
  },
};
