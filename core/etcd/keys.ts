/**
 * Where everything lives in etcd, under `registry.etcd.prefix` (default `/labelgate/`), so one
 * etcd can hold several gateway clusters. Path segments are percent-encoded (instance ids such as
 * `host1:orders:9205` and apps with any character stay one segment); apps are upper-cased.
 *
 *   <prefix>registry/instances/<APP>/<id>      instance JSON        lease: one per instance, TTL = durationInSecs
 *   <prefix>registry/labels/<APP>/<host:port>  {app, instance, labels, updatedAt}   no lease
 *   <prefix>sessions/<ticket digest>           {record, expiresAt}  lease: the session's TTL
 *   <prefix>config/gateway.yaml                the pushed gateway.yaml (text)
 *   <prefix>members/<gateway id>               {addr, configRevision, configError, …}   lease: 10 s
 *
 * Instances and labels share the `registry/` range so that one watch sees both in revision order.
 */

export interface KeyRange {
  readonly key: Buffer;
  /** Exclusive end: the prefix with its last byte incremented (etcd's prefix range). */
  readonly rangeEnd: Buffer;
}

export type RegistryKey =
  | { readonly kind: 'instance'; readonly app: string; readonly id: string }
  | { readonly kind: 'labels'; readonly app: string; readonly instance: string };

export function prefixRange(prefix: string): KeyRange {
  const key = Buffer.from(prefix);
  const rangeEnd = Buffer.from(key);
  for (let i = rangeEnd.length - 1; i >= 0; i--) {
    if (rangeEnd[i]! < 0xff) {
      rangeEnd[i]!++;
      return { key, rangeEnd: rangeEnd.subarray(0, i + 1) };
    }
  }
  return { key, rangeEnd: Buffer.from([0]) };
}

const segment = (value: string) => encodeURIComponent(value);

export class EtcdKeys {
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix.endsWith('/') ? prefix : `${prefix}/`;
  }

  get registry(): string {
    return `${this.prefix}registry/`;
  }

  instance(app: string, id: string): string {
    return `${this.registry}instances/${segment(app.toUpperCase())}/${segment(id)}`;
  }

  labels(app: string, instance: string): string {
    return `${this.registry}labels/${segment(app.toUpperCase())}/${segment(instance)}`;
  }

  get sessions(): string {
    return `${this.prefix}sessions/`;
  }

  session(id: string): string {
    return `${this.sessions}${segment(id)}`;
  }

  get config(): string {
    return `${this.prefix}config/gateway.yaml`;
  }

  get members(): string {
    return `${this.prefix}members/`;
  }

  member(id: string): string {
    return `${this.members}${segment(id)}`;
  }

  /** What a key under `registry/` names, or undefined for anything else. */
  parseRegistry(key: string): RegistryKey | undefined {
    if (!key.startsWith(this.registry)) return undefined;
    const [kind, app, name, ...rest] = key.slice(this.registry.length).split('/');
    if (app === undefined || name === undefined || rest.length > 0) return undefined;
    try {
      if (kind === 'instances') return { kind: 'instance', app: decodeURIComponent(app), id: decodeURIComponent(name) };
      if (kind === 'labels') return { kind: 'labels', app: decodeURIComponent(app), instance: decodeURIComponent(name) };
    } catch {
      // A key someone wrote by hand with a broken escape: not ours.
    }
    return undefined;
  }
}
