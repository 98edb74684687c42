/**
 * validate → compile → freeze: one config version becomes one Pipeline object.
 *
 *   LoadedConfig ─► plugins (parsers, router, auth, interceptors) ─► patterns compiled and
 *   proven disjoint ─► security checked (S2, secrets) and compiled ─► static instances ─► forward chain composed
 *   ─► deep-frozen config ─► Pipeline
 *
 * Everything a request needs is built here, once; a request only reads it. A failed build
 * closes what it created and throws a ConfigError listing every problem with its position.
 */
import path from 'node:path';
import { createHash } from 'node:crypto';
import type {
  AuthInstance, Forward, InterceptorInstance, Logger, ParserInstance, ParserManifest, PluginKind, PluginKit, RouterInstance,
} from './contracts.js';
import type { GatewayConfig, PluginRef } from './config-types.js';
import type { LoadedConfig } from './config-loader.js';
import { BodyPool, type BodyPoolProvider } from './body-pool.js';
import { BodyStage, compileBodyPlans, type BodyPlan } from './body-stage.js';
import { ProblemList, type ConfigWarning } from './config-errors.js';
import { compilePattern, normaliseMethods, provePatterns, type ProvablePattern } from './disjointness.js';
import { GatewayError } from './errors.js';
import { createForward, type UpstreamObserver, type UpstreamPools } from './http-forwarder.js';
import { loadPlugin, PluginLoadError, type LoadedPlugin } from './plugin-loader.js';
import { ParserChain, type CompiledPattern } from './parse-stage.js';
import { makeInstance, parseHostPort, type InstanceView, type RegistryView } from './registry/snapshot.js';
import { anchoredRegex, SecurityPolicy } from './security.js';
import { deepFreeze } from './deep-freeze.js';
import { checkSecurityConfig } from './security-checks.js';
import { IMPLICIT_SESSION, needsImplicitSession } from './implicit-session.js';

export interface PipelineDeps {
  readonly version: number;
  readonly registry: RegistryView;
  readonly logger: Logger;
  readonly services: Readonly<Record<string, unknown>>;
  /** Where the admin listener is bound (fixed at start); the security checks look at it too. */
  readonly adminHost?: string;
  /** Shared pools for these upstream settings; released when the pipeline closes. */
  acquirePools(settings: GatewayConfig['upstream'], resolvePath: (file: string) => string): UpstreamPools;
  releasePools(pools: UpstreamPools): void;
  /** Body worker pools shared across versions; without it (check, explain) bodies are parsed inline. */
  readonly bodyPools?: BodyPoolProvider;
  /** Told of every upstream attempt (metrics, access log). */
  readonly upstreamObserver?: UpstreamObserver;
}

export interface Pipeline {
  readonly version: number;
  /** Hash of the config text and of every path plugin's source. */
  readonly hash: string;
  readonly file: string;
  readonly dir: string;
  readonly loadedAt: Date;
  readonly config: GatewayConfig;
  readonly parsers: ParserChain;
  /** Reads and parses request bodies (inline or in the worker pool). */
  readonly body: BodyStage;
  readonly parserPlugins: readonly LoadedPlugin<ParserInstance>[];
  readonly router: LoadedPlugin<RouterInstance>;
  readonly interceptors: readonly LoadedPlugin<InterceptorInstance>[];
  readonly security: SecurityPolicy;
  /** `websocket.tunnels`, compiled once per config: handshake paths proxied 1:1. */
  readonly websocketTunnels: readonly RegExp[];
  readonly staticInstances: readonly InstanceView[];
  readonly forward: Forward;
  /** The config file and the plugin modules it names: what hot reload watches. */
  readonly watchFiles: readonly string[];
  /** Content hashes of the config text and of each path plugin: unchanged sources skip a rebuild. */
  readonly sources: readonly { readonly file: string; readonly hash: string }[];
  /** What the config loads with but its operator should know (rules left out of the proof, …). */
  readonly warnings: readonly ConfigWarning[];
  close(): Promise<void>;
}

/** Interceptors sorted outermost first: higher priority, then name. */
export function orderInterceptors<T extends LoadedPlugin<unknown>>(plugins: readonly T[]): T[] {
  return [...plugins].sort((a, b) => b.manifest.priority - a.manifest.priority || a.name.localeCompare(b.name));
}

class Builder {
  readonly problems: ProblemList;
  readonly created: LoadedPlugin<unknown>[] = [];
  readonly extraWatch = new Set<string>();
  readonly kit: PluginKit;

  constructor(readonly loaded: LoadedConfig, readonly deps: PipelineDeps) {
    this.problems = new ProblemList(loaded.file, loaded.locate);
    this.kit = {
      configDir: loaded.dir,
      resolvePath: (relative) => path.resolve(loaded.dir, relative),
      logger: deps.logger,
      registry: deps.registry,
      services: deps.services,
      watch: (file) => this.extraWatch.add(path.resolve(loaded.dir, file)),
    };
  }

  async plugin<T>(ref: PluginRef, kind: PluginKind, pointer: string): Promise<LoadedPlugin<T> | undefined> {
    try {
      const plugin = await loadPlugin<T>(ref, kind, { ...this.kit, logger: this.deps.logger.child({ plugin: ref.name ?? ref.use }) });
      this.created.push(plugin);
      return plugin;
    } catch (error) {
      if (error instanceof PluginLoadError) this.problems.addError(error.error, pointer + error.relativePointer);
      else this.problems.addError(new GatewayError('LG_ERR_CONFIG_PLUGIN_CREATE', { kind, name: ref.use, reason: (error as Error).message }), pointer);
      return undefined;
    }
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.created.map(async (plugin) => (plugin.instance as { close?: () => unknown }).close?.()));
  }
}

function compileParsers(builder: Builder, parsers: readonly (LoadedPlugin<ParserInstance> | undefined)[], bodyPlans: readonly BodyPlan[]): ParserChain {
  const primary: CompiledPattern[] = [];
  const fallback: CompiledPattern[] = [];
  const provable: ProvablePattern[] = [];
  /** Where each proven pattern's entry sits in `primary`, to mark the ones left out of the proof. */
  const primaryIndex = new Map<ProvablePattern, number>();
  let firstFallback: string | undefined;
  parsers.forEach((plugin, index) => {
    if (!plugin) return;
    const isFallback = (plugin.manifest as ParserManifest).fallback === true;
    // A fallback parser skips the proof; two of them could match the same request unproven.
    if (isFallback && firstFallback !== undefined) {
      builder.problems.add('LG_ERR_CONFIG_FALLBACK_DUPLICATE', `/parsers/${index}/use`, { first: firstFallback, second: plugin.name });
    }
    if (isFallback) firstFallback ??= plugin.name;
    for (const pattern of plugin.instance.patterns) {
      const configPointer = `/parsers/${index}${pattern.pointer ? `/options${pattern.pointer}` : '/use'}`;
      const label = `${plugin.name}/${pattern.name}`;
      if (pattern.flags && !/^i?$/.test(pattern.flags)) {
        builder.problems.add('LG_ERR_CONFIG_REGEX_INVALID', configPointer, { rule: label, reason: `flags "${pattern.flags}" (only "i" is allowed)` });
        continue;
      }
      let regex: RegExp;
      try {
        regex = compilePattern(pattern);
      } catch (error) {
        builder.problems.add('LG_ERR_CONFIG_REGEX_INVALID', configPointer, { rule: label, reason: (error as Error).message });
        continue;
      }
      // Requests are matched by their upper-cased method, so the proof compares the same.
      const methods = normaliseMethods(pattern.methods);
      if ('invalid' in methods) {
        builder.problems.add('LG_ERR_CONFIG_METHOD_INVALID', configPointer, { rule: label, method: methods.invalid });
        continue;
      }
      const entry: CompiledPattern = {
        regex, pattern, parser: plugin.instance, parserName: plugin.name, body: bodyPlans[index]!,
        methods: methods.methods ? new Set(methods.methods) : undefined,
      };
      if (isFallback) {
        fallback.push(entry);
        continue;
      }
      const proof: ProvablePattern = { ...pattern, ...(methods.methods ? { methods: methods.methods } : {}), label, configPointer };
      primaryIndex.set(proof, primary.length);
      primary.push(entry);
      provable.push(proof);
    }
  });
  for (const { pattern, reason } of provePatterns(provable, builder.problems)) {
    const index = primaryIndex.get(pattern)!;
    primary[index] = { ...primary[index]!, unproven: reason };
  }
  return new ParserChain(primary, fallback);
}

function staticInstances(config: GatewayConfig, problems: ProblemList): InstanceView[] {
  const instances: InstanceView[] = [];
  config.registry.static.forEach((group, groupIndex) => {
    group.instances.forEach((text, index) => {
      const address = parseHostPort(text);
      if (!address) {
        problems.add('LG_ERR_CONFIG_INVALID', `/registry/static/${groupIndex}/instances/${index}`, { reason: `"${text}" is not host:port` });
        return;
      }
      instances.push(makeInstance({ app: group.app, ...address, labels: group.labels, source: 'static' }));
    });
  });
  return instances;
}

function compileSecurity(builder: Builder, config: GatewayConfig, auth: LoadedPlugin<AuthInstance>[]): SecurityPolicy | undefined {
  try {
    return new SecurityPolicy(config, auth, builder.deps.logger, builder.deps.services);
  } catch (error) {
    // Only address lists can fail here; find which entry.
    const lists: [string, readonly string[]][] = [['/server/trustedProxies', config.server.trustedProxies], ['/security/ipAllowList', config.security.ipAllowList]];
    const message = (error as Error).message;
    const [pointer] = lists.flatMap(([base, entries]) => entries.map((entry, i) => (message.includes(`"${entry}"`) ? `${base}/${i}` : undefined))).filter(Boolean);
    builder.problems.add('LG_ERR_CONFIG_INVALID', pointer ?? '/security', { reason: message });
    return undefined;
  }
}

const present = <T>(list: (T | undefined)[]): T[] => list.filter((item): item is T => item !== undefined);

export async function buildPipeline(loaded: LoadedConfig, deps: PipelineDeps): Promise<Pipeline> {
  const builder = new Builder(loaded, deps);
  const { config } = loaded;

  const parserPlugins = await Promise.all(config.parsers.map((ref, i) => builder.plugin<ParserInstance>(ref, 'parser', `/parsers/${i}`)));
  const router = await builder.plugin<RouterInstance>(config.router, 'router', '/router');
  const declared = await Promise.all(config.security.auth.map((ref, i) => builder.plugin<AuthInstance>(ref, 'auth', `/security/auth/${i}`)));
  const auth = needsImplicitSession(present(declared))
    ? [await builder.plugin<AuthInstance>(IMPLICIT_SESSION, 'auth', '/security/auth'), ...declared]
    : declared;
  const interceptors = await Promise.all(config.interceptors.map((ref, i) => builder.plugin<InterceptorInstance>(ref, 'interceptor', `/interceptors/${i}`)));

  const parsers = compileParsers(builder, parserPlugins, compileBodyPlans(config.parsers, builder.problems));
  checkSecurityConfig(config, builder.problems, deps.adminHost);
  const security = compileSecurity(builder, config, present(auth));
  const statics = staticInstances(config, builder.problems);

  let pools: UpstreamPools | undefined;
  if (builder.problems.size === 0) {
    try {
      pools = deps.acquirePools(config.upstream, builder.kit.resolvePath);
    } catch (error) {
      builder.problems.add('LG_ERR_CONFIG_INVALID', '/upstream/tls/ca', { reason: (error as Error).message });
    }
  }
  if (builder.problems.size > 0 || !router || !security || !pools) {
    await builder.closeAll();
    builder.problems.throwIfAny();
    throw new Error('unreachable: a failed build always has problems');
  }

  const ordered = orderInterceptors(present(interceptors));
  const forward = ordered.reduceRight<Forward>((next, plugin) => plugin.instance.wrap(next), createForward(pools, deps.upstreamObserver));
  const pluginFiles = builder.created.flatMap((plugin) => (plugin.file ? [plugin.file] : []));
  const hash = createHash('sha256').update(loaded.hash);
  for (const plugin of builder.created) if (plugin.hash) hash.update(plugin.hash);
  const acquiredPools = pools;
  const bodyPool = deps.bodyPools?.acquire(config.body.workers) ?? new BodyPool(0, deps.logger);

  return Object.freeze({
    version: deps.version,
    hash: hash.digest('hex'),
    file: loaded.file,
    dir: loaded.dir,
    loadedAt: new Date(),
    config: deepFreeze(config),
    parsers,
    body: new BodyStage(config.body, bodyPool),
    parserPlugins: present(parserPlugins),
    router,
    interceptors: ordered,
    security,
    websocketTunnels: Object.freeze(config.websocket.tunnels.map(anchoredRegex)),
    staticInstances: Object.freeze(statics),
    forward,
    watchFiles: Object.freeze([loaded.file, ...pluginFiles, ...builder.extraWatch]),
    sources: Object.freeze([
      { file: loaded.file, hash: loaded.hash },
      ...builder.created.flatMap((plugin) => (plugin.file && plugin.hash ? [{ file: plugin.file, hash: plugin.hash }] : [])),
    ]),
    warnings: deepFreeze(builder.problems.warnings),
    async close() {
      await builder.closeAll();
      deps.releasePools(acquiredPools);
      deps.bodyPools?.release(bodyPool);
    },
  });
}
