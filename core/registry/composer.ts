/**
 * Composes the router's snapshot from its sources: static instances of the config version in
 * force, instances from the registry store (Eureka registrations, upstream Eureka servers), and
 * the label store, whose labels override registration labels. A new snapshot is built only when
 * a source changes, never per request.
 */
import { buildSnapshot, makeInstance, type InstanceView, type OrphanLabels, type RegistrySnapshot, type RegistryView } from './snapshot.js';

/** Labels set by an operator for `app` (lower-cased) and `host:port`; each key wins over metadata. */
export type LabelLookup = (appKey: string, hostPort: string) => Readonly<Record<string, string>> | undefined;

/** Every operator label entry, so labels of unregistered instances can be told apart (orphans). */
export type LabelEntries = () => Iterable<{ readonly appKey: string; readonly instance: string; readonly labels: Readonly<Record<string, string>> }>;

export class RegistryComposer implements RegistryView {
  private readonly sources = new Map<string, readonly InstanceView[]>();
  private labels: LabelLookup = () => undefined;
  private labelEntries: LabelEntries = () => [];
  private revision = 0;
  private current: RegistrySnapshot = buildSnapshot(0, []);
  private readonly listeners = new Set<(snapshot: RegistrySnapshot) => void>();

  snapshot(): RegistrySnapshot {
    return this.current;
  }

  onChange(listener: (snapshot: RegistrySnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replaces the instances of one source (`static`, `store`, `upstream:<url>`). Earlier sources win on duplicates. */
  setSource(name: string, instances: readonly InstanceView[]): void {
    this.sources.set(name, instances);
    this.rebuild();
  }

  setLabelLookup(lookup: LabelLookup, entries: LabelEntries = () => []): void {
    this.labels = lookup;
    this.labelEntries = entries;
    this.rebuild();
  }

  rebuild(): void {
    const all: InstanceView[] = [];
    for (const instances of this.sources.values()) {
      for (const instance of instances) {
        const override = this.labels(instance.appKey, instance.hostPort);
        // Per key, so an operator `tenant` label keeps a registration's `route` (spec §8).
        all.push(override === undefined ? instance : makeInstance({ ...instance, labels: { ...instance.labels, ...override } }));
      }
    }
    this.current = buildSnapshot(++this.revision, all, this.orphans(all));
    for (const listener of this.listeners) listener(this.current);
  }

  private orphans(instances: readonly InstanceView[]): Map<string, OrphanLabels[]> {
    const present = new Set(instances.map((instance) => `${instance.appKey} ${instance.hostPort}`));
    const orphans = new Map<string, OrphanLabels[]>();
    for (const entry of this.labelEntries()) {
      if (present.has(`${entry.appKey} ${entry.instance}`)) continue;
      let list = orphans.get(entry.appKey);
      if (!list) orphans.set(entry.appKey, (list = []));
      list.push({ hostPort: entry.instance, labels: entry.labels });
    }
    return orphans;
  }
}
