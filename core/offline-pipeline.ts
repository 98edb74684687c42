/**
 * Builds a pipeline without listeners or modules, for `labelgate check` and `labelgate explain`:
 * the same validation and compilation as `start`, with only the static instances as registry.
 */
import { loadConfigFile, type Environment } from './config-loader.js';
import { createLogger } from './logger.js';
import { buildPipeline, type Pipeline } from './pipeline.js';
import { PoolProvider } from './pool-provider.js';
import { RegistryComposer } from './registry/composer.js';

export interface OfflinePipeline {
  readonly pipeline: Pipeline;
  readonly registry: RegistryComposer;
  close(): Promise<void>;
}

export async function buildOffline(file: string, env: Environment = process.env): Promise<OfflinePipeline> {
  const loaded = await loadConfigFile(file, env);
  const registry = new RegistryComposer();
  const pools = new PoolProvider();
  const pipeline = await buildPipeline(loaded, {
    version: 1,
    registry,
    logger: createLogger('silent'),
    services: {},
    acquirePools: (settings, resolvePath) => pools.acquire(settings, resolvePath),
    releasePools: (acquired) => pools.release(acquired),
  });
  registry.setSource('static', pipeline.staticInstances);
  return {
    pipeline,
    registry,
    async close() {
      await pipeline.close();
      await pools.destroyAll();
    },
  };
}
