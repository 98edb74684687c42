/**
 * Registry stores by `registry.store` name. The etcd store (issue "scale out") registers here
 * with one line; everything above the store interface stays as it is.
 */
import path from 'node:path';
import type { Logger } from '../contracts.js';
import type { GatewayConfig } from '../config-types.js';
import { MemoryStore } from './memory-store.js';
import type { RegistryStore } from './store.js';

export interface StoreContext {
  readonly config: GatewayConfig;
  /** Relative paths (labels.file) are resolved against the config file's directory. */
  readonly configDir: string;
  readonly logger: Logger;
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
};
