/**
 * The registry as the router sees it: an immutable snapshot of applications and their instances
 * with effective labels. A new snapshot is built when the registry changes (static config, Eureka
 * registrations, label edits); requests only read the current one, so routing does no I/O.
 */

export type InstanceStatus = 'UP' | 'DOWN' | 'STARTING' | 'OUT_OF_SERVICE' | 'UNKNOWN';

export type InstanceSource = 'static' | 'eureka' | 'upstream';

export interface InstanceView {
  /** Application name as registered (Eureka upper-cases it). */
  readonly app: string;
  /** Lower-cased application name: names are case-insensitive everywhere. */
  readonly appKey: string;
  /** Registry instance id (Eureka instanceId; `host:port` for static instances). */
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** `host:port`, the Linkis instance name used in exec IDs, labels and the admin API. */
  readonly hostPort: string;
  /** `http://host:port`, what the forwarder dials. */
  readonly origin: string;
  readonly status: InstanceStatus;
  /** Effective labels: registration metadata overlaid by the label store (the store wins). */
  readonly labels: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly source: InstanceSource;
}

export interface AppView {
  readonly name: string;
  readonly key: string;
  readonly instances: readonly InstanceView[];
}

/** Operator labels of an instance that no registry source holds (restarting, or gone for good). */
export interface OrphanLabels {
  readonly hostPort: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface RegistrySnapshot {
  /** Changes whenever the content changes; routers key their caches on the snapshot object. */
  readonly revision: number;
  readonly apps: ReadonlyMap<string, AppView>;
  /**
   * Labelled instances that are not registered, by lower-cased application: a route label that
   * only such instances carry is "retry later" (11012), not "no such label" (11011).
   */
  readonly orphanLabels: ReadonlyMap<string, readonly OrphanLabels[]>;
  app(name: string): AppView | undefined;
  instance(app: string, hostPort: string): InstanceView | undefined;
}

/** What plugins get: the current snapshot, and a way to hear about new ones. */
export interface RegistryView {
  snapshot(): RegistrySnapshot;
  onChange(listener: (snapshot: RegistrySnapshot) => void): () => void;
}

export interface InstanceInput {
  app: string;
  id?: string;
  host: string;
  port: number;
  status?: InstanceStatus;
  labels?: Readonly<Record<string, string>>;
  metadata?: Readonly<Record<string, string>>;
  source: InstanceSource;
}

export function makeInstance(input: InstanceInput): InstanceView {
  const hostPort = `${input.host}:${input.port}`;
  return Object.freeze({
    app: input.app,
    appKey: input.app.toLowerCase(),
    id: input.id ?? hostPort,
    host: input.host,
    port: input.port,
    hostPort,
    origin: `http://${input.host.includes(':') ? `[${input.host}]` : input.host}:${input.port}`,
    status: input.status ?? 'UP',
    labels: Object.freeze({ ...(input.labels ?? {}) }),
    metadata: Object.freeze({ ...(input.metadata ?? {}) }),
    source: input.source,
  });
}

/**
 * Builds a snapshot. Instances of the same application from several sources are merged; when two
 * sources name the same `host:port` for one application, the earlier one in the list wins.
 */
export function buildSnapshot(
  revision: number,
  instances: Iterable<InstanceView>,
  orphanLabels: ReadonlyMap<string, readonly OrphanLabels[]> = new Map(),
): RegistrySnapshot {
  const grouped = new Map<string, { name: string; instances: InstanceView[]; seen: Set<string> }>();
  for (const instance of instances) {
    let group = grouped.get(instance.appKey);
    if (!group) {
      group = { name: instance.app, instances: [], seen: new Set() };
      grouped.set(instance.appKey, group);
    }
    if (group.seen.has(instance.hostPort)) continue;
    group.seen.add(instance.hostPort);
    group.instances.push(instance);
  }
  const apps = new Map<string, AppView>();
  const byHostPort = new Map<string, InstanceView>();
  for (const [key, group] of grouped) {
    apps.set(key, Object.freeze({ name: group.name, key, instances: Object.freeze(group.instances) }));
    for (const instance of group.instances) byHostPort.set(`${key} ${instance.hostPort}`, instance);
  }
  return Object.freeze({
    revision,
    apps,
    orphanLabels,
    app: (name: string) => apps.get(name.toLowerCase()),
    instance: (app: string, hostPort: string) => byHostPort.get(`${app.toLowerCase()} ${hostPort}`),
  });
}

export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const match = /^(\[[^\]]+\]|[^\s/:]+):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}
