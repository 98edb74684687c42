/**
 * Gateway modules: the parts of the core beyond the request path (registry, security endpoints,
 * metrics, …). Each is set up once at start, before the first pipeline is built, so it can offer
 * services to plugins, local endpoints on the public listener and routes on the admin listener.
 */
import type { Server } from 'node:http';
import type { Logger } from './contracts.js';
import type { AdminModule } from './admin-server.js';
import type { ConfigLayer } from './config-layer.js';
import type { GatewayConfig } from './config-types.js';
import type { LocalEndpoints } from './local-endpoints.js';
import type { Pipeline } from './pipeline.js';
import type { PipelineHolder, Reloader } from './reload.js';
import type { RegistryComposer } from './registry/composer.js';
import type { ExchangeHooks } from './telemetry/exchange.js';

export interface ModuleContext {
  /** The config the gateway started with (listener and registry settings are fixed at start). */
  readonly initialConfig: GatewayConfig;
  readonly configFile: string;
  readonly configDir: string;
  readonly logger: Logger;
  readonly registry: RegistryComposer;
  readonly localEndpoints: LocalEndpoints;
  readonly adminModules: AdminModule[];
  /** Observe requests as they finish and upstream attempts as they are made (metrics, access logs). */
  readonly exchanges: ExchangeHooks;
  /** Services handed to plugins as `kit.services`; set them in `setup`. */
  readonly services: Record<string, unknown>;
  /** Available from `started` on. */
  readonly holder: PipelineHolder;
  readonly reloader: Reloader;
  /** Addresses the listeners are bound to, available from `started` on. */
  readonly addresses: { gateway: string; admin: string };
  /** The listeners' servers (e.g. for `upgrade` events), available from `started` on. */
  readonly servers: { gateway: Server; admin: Server };
  onSwap(listener: (next: Pipeline, previous: Pipeline) => void): void;
  /**
   * Lays a config over the local file on every later build (a document pushed through etcd);
   * undefined removes it. Takes effect with the next `reloader.reload()`.
   */
  setConfigLayer(layer: ConfigLayer | undefined): void;
}

export interface GatewayModule {
  readonly name: string;
  setup(context: ModuleContext): void | Promise<void>;
  /** After both listeners accept connections. */
  started?(context: ModuleContext): void | Promise<void>;
  /** Readiness beyond the listeners (e.g. the first registry sync). */
  ready?(): boolean;
  /**
   * The gateway is stopping: /readyz answers 503 and the public listener drains next. Release
   * long-lived client connections here (WebSockets get 1001); ordinary requests finish on their own.
   */
  draining?(): void | Promise<void>;
  close?(): void | Promise<void>;
}
