/**
 * Wiring only: config → modules → first pipeline → listeners → hot reload; and the way down.
 *
 *   loadConfigFile ─► modules.setup ─► buildPipeline ─► PipelineHolder ◄─ Reloader ◄─ ConfigWatcher
 *                                                           │
 *   public listener (Fastify, catch-all) ─► HttpHandler ────┘      admin listener ─► AdminModules
 *                                               └─► ExchangeHooks ─► metrics, access log
 *
 *   close: not ready (/readyz 503) ─► modules drain (WebSockets 1001) ─► public listener drains
 *          within server.shutdownGrace ─► admin listener ─► modules close (registry) ─► upstream pools
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Logger } from './contracts.js';
import { adminRouteTable, createAdminServer, type AdminModule, type AdminRoute } from './admin-server.js';
import type { ConfigLayer } from './config-layer.js';
import { loadConfigFile, type Environment, type LoadedConfig } from './config-loader.js';
import { ConfigWatcher } from './config-watcher.js';
import { ConnectionTracker, drainListener } from './drain.js';
import { ShutdownNotice } from './closing-response.js';
import { createGatewayListener } from './gateway-listener.js';
import { HttpHandler } from './http-handler.js';
import { LocalEndpoints } from './local-endpoints.js';
import { createLogger } from './logger.js';
import type { GatewayModule, ModuleContext } from './modules.js';
import { buildPipeline, type Pipeline } from './pipeline.js';
import { contentHash } from './plugin-loader.js';
import { PoolProvider } from './pool-provider.js';
import { BodyPoolProvider } from './body-pool.js';
import { RegistryComposer } from './registry/composer.js';
import { PipelineHolder, Reloader, type ReloadOutcome } from './reload.js';
import { BUILTIN_MODULES } from './builtin-modules.js';
import { metricsService } from './metrics/worker-pools.js';
import { ExchangeHooks } from './telemetry/exchange.js';

export interface GatewayOptions {
  readonly configFile: string;
  readonly env?: Environment;
  readonly logger?: Logger;
  /** Overrides `reload.watch` (tests drive reloads themselves). */
  readonly watch?: boolean;
  /** Extra modules after the built-in ones. */
  readonly modules?: readonly GatewayModule[];
}

function addressOf(app: FastifyInstance): string {
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** True when none of the pipeline's sources (config text, plugin modules) changed. */
async function unchanged(current: Pipeline, loaded: LoadedConfig): Promise<boolean> {
  if (current.sources[0]?.hash !== loaded.hash) return false;
  for (const source of current.sources.slice(1)) {
    const text = await readFile(source.file).catch(() => undefined);
    if (text === undefined || contentHash(text) !== source.hash) return false;
  }
  return true;
}

export class Gateway {
  private ready = false;
  private watcher: ConfigWatcher | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly holder: PipelineHolder,
    readonly reloader: Reloader,
    readonly registry: RegistryComposer,
    private readonly listener: FastifyInstance,
    private readonly admin: FastifyInstance,
    private readonly modules: readonly GatewayModule[],
    private readonly pools: PoolProvider,
    private readonly bodyPools: BodyPoolProvider,
    readonly logger: Logger,
    readonly context: ModuleContext,
    private readonly connections: ConnectionTracker,
    private readonly shutdownNotice: ShutdownNotice,
  ) {}

  static async start(options: GatewayOptions): Promise<Gateway> {
    const env = options.env ?? process.env;
    const loaded = await loadConfigFile(options.configFile, env);
    const logger = options.logger ?? createLogger(loaded.config.log.level);
    const registry = new RegistryComposer();
    const localEndpoints = new LocalEndpoints();
    const adminModules: AdminModule[] = [];
    const services: Record<string, unknown> = {};
    const exchanges = new ExchangeHooks();
    const pools = new PoolProvider();
    const bodyPools = new BodyPoolProvider(logger);
    const modules = [...BUILTIN_MODULES.map((create) => create()), ...(options.modules ?? [])];
    const late: { holder?: PipelineHolder; reloader?: Reloader; addresses?: ModuleContext['addresses']; servers?: ModuleContext['servers'] } = {};
    const swapListeners: ((next: Pipeline, previous: Pipeline) => void)[] = [];
    // A config pushed through etcd is laid over the local file on every build (core/config-layer.ts).
    let layer: ConfigLayer | undefined;
    const context: ModuleContext = {
      initialConfig: loaded.config, configFile: loaded.file, configDir: loaded.dir, logger, registry, localEndpoints, adminModules, services, exchanges,
      get holder() { if (!late.holder) throw new Error('the pipeline holder exists only after setup'); return late.holder; },
      get reloader() { if (!late.reloader) throw new Error('the reloader exists only after setup'); return late.reloader; },
      get addresses() { if (!late.addresses) throw new Error('addresses are known only after the listeners start'); return late.addresses; },
      get servers() { if (!late.servers) throw new Error('servers exist only after the listeners start'); return late.servers; },
      onSwap: (listener) => swapListeners.push(listener),
      setConfigLayer: (next) => {
        layer = next;
      },
    };
    for (const module of modules) await module.setup(context);
    metricsService(services)?.addWorkerPool('body', () => bodyPools.stats());

    let version = 1;
    const build = async (next: LoadedConfig) => {
      const pipeline = await buildPipeline(next, {
        version: version++, registry, logger, services, adminHost: loaded.config.admin.host,
        acquirePools: (settings, resolvePath) => pools.acquire(settings, resolvePath),
        releasePools: (acquired) => pools.release(acquired),
        bodyPools,
        upstreamObserver: exchanges,
      });
      for (const warning of pipeline.warnings) {
        logger.warn({ code: warning.code, file: warning.file, line: warning.line, column: warning.column, pointer: warning.pointer, version: pipeline.version }, warning.message);
      }
      return pipeline;
    };
    const first = await build(loaded);
    const holder = new PipelineHolder(first, logger);
    registry.setSource('static', first.staticInstances);
    const reloader = new Reloader(holder, async (current) => {
      const local = await loadConfigFile(options.configFile, env);
      const next = layer ? layer(local, env) : local;
      if (await unchanged(current, next)) return undefined;
      return build(next);
    }, logger);
    late.holder = holder;
    late.reloader = reloader;
    holder.onSwap((next, previous) => {
      registry.setSource('static', next.staticInstances);
      for (const listener of swapListeners) listener(next, previous);
    });

    const handler = new HttpHandler({ holder, registry, localEndpoints, logger, exchanges });
    const shutdown = new ShutdownNotice();
    const listener = createGatewayListener(loaded.config.server, handler, shutdown);
    const connections = new ConnectionTracker(listener.server);
    let gateway: Gateway | undefined;
    const admin = createAdminServer({ holder, reloader, registry, isReady: () => gateway?.isReady() ?? false, shutdown, localEndpoints }, adminModules);
    try {
      await listener.listen({ host: loaded.config.server.host, port: loaded.config.server.port });
      await admin.listen({ host: loaded.config.admin.host, port: loaded.config.admin.port });
    } catch (error) {
      await Promise.allSettled([listener.close(), admin.close(), holder.closeAll().then(() => bodyPools.destroyAll())]);
      throw error;
    }
    late.addresses = { gateway: addressOf(listener), admin: addressOf(admin) };
    late.servers = { gateway: listener.server, admin: admin.server };
    gateway = new Gateway(holder, reloader, registry, listener, admin, modules, pools, bodyPools, logger, context, connections, shutdown);
    for (const module of modules) await module.started?.(context);
    if (options.watch ?? loaded.config.reload.watch) gateway.watch(loaded.config.reload.debounce);
    gateway.ready = true;
    logger.info({ gateway: late.addresses.gateway, admin: late.addresses.admin, version: first.version }, 'labelgate started');
    return gateway;
  }

  private watch(debounceMs: number): void {
    const watcher = new ConfigWatcher(this.holder.current.watchFiles, debounceMs, () => void this.reload());
    this.holder.onSwap((next) => watcher.setFiles(next.watchFiles));
    this.watcher = watcher;
  }

  isReady(): boolean {
    return this.ready && this.modules.every((module) => module.ready?.() ?? true);
  }

  /** Public listener, e.g. http://127.0.0.1:9001 */
  get url(): string {
    return this.context.addresses.gateway;
  }

  get adminUrl(): string {
    return this.context.addresses.admin;
  }

  get pipeline(): Pipeline {
    return this.holder.current;
  }

  /** The admin listener's live route table. */
  get adminRoutes(): readonly AdminRoute[] {
    return adminRouteTable(this.admin);
  }

  reload(): Promise<ReloadOutcome> {
    return this.reloader.reload();
  }

  /**
   * Graceful stop: requests in flight get `graceMs` (default `server.shutdownGrace`) to finish,
   * then their connections are cut. Calling it again returns the same promise.
   */
  close(graceMs: number = this.holder.current.config.server.shutdownGrace): Promise<void> {
    this.closing ??= this.shutdown(graceMs);
    return this.closing;
  }

  private async shutdown(graceMs: number): Promise<void> {
    this.ready = false;
    this.shutdownNotice.begun = true;
    await this.watcher?.close();
    for (const module of this.modules) await module.draining?.();
    const inflight = this.holder.inflight;
    if (inflight > 0) this.logger.info({ inflight, graceMs }, 'stopping: waiting for requests in flight');
    const { cut } = await drainListener(this.listener, this.connections, graceMs);
    if (cut > 0) this.logger.warn({ cut, graceMs }, 'shutdown grace period over: connections still open were cut');
    await this.admin.close();
    for (const module of [...this.modules].reverse()) await module.close?.();
    await this.holder.closeAll();
    await this.pools.destroyAll();
    await this.bodyPools.destroyAll();
  }
}
