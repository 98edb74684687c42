/**
 * Operator labels, as both label APIs (the admin `/admin/labels` and Linkis's
 * `/api/rest_j/v1/microservice/instanceLabel`) see them. Writes go to the store and return once
 * the mirror has them, so the router's next snapshot (built in the same tick) routes by them.
 * A label whose instance is in no source of the registry is an orphan: listed, never deleted
 * automatically (the instance may be restarting).
 */
import { GatewayError } from '../errors.js';
import type { RegistryMirror } from './mirror.js';
import type { RegistryView } from './snapshot.js';
import type { LabelEntry, RegistryStore } from './store.js';

export interface LabelView {
  readonly app: string;
  readonly instance: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly orphan: boolean;
  readonly updatedAt: string;
}

export class LabelService {
  constructor(
    private readonly store: RegistryStore,
    private readonly mirror: RegistryMirror,
    private readonly registry: RegistryView,
  ) {}

  list(): LabelView[] {
    return [...this.mirror.labels()].map((entry) => this.view(entry)).sort((a, b) => a.app.localeCompare(b.app) || a.instance.localeCompare(b.instance));
  }

  get(app: string, instance: string): LabelView {
    const entry = this.mirror.labelsOf(app, instance);
    if (!entry) throw new GatewayError('LG_ERR_LABEL_NOT_FOUND', { app, instance });
    return this.view(entry);
  }

  find(app: string, instance: string): LabelEntry | undefined {
    return this.mirror.labelsOf(app, instance);
  }

  /** Replaces the instance's labels; an empty set removes them. */
  async replace(app: string, instance: string, labels: Readonly<Record<string, string>>): Promise<Readonly<Record<string, string>>> {
    if (Object.keys(labels).length === 0) {
      await this.remove(app, instance);
      return {};
    }
    const result = await this.store.putLabels(app, instance, labels);
    if (!result.ok) throw new GatewayError('LG_ERR_REGISTRY_UNAVAILABLE', { reason: 'the labels changed while they were being written' });
    await this.mirror.waitFor(result.revision);
    return result.entry.labels;
  }

  /** True when there were labels to remove. */
  async remove(app: string, instance: string): Promise<boolean> {
    const removed = await this.store.deleteLabels(app, instance);
    if (!removed) return false;
    await this.mirror.waitFor(removed.revision);
    return true;
  }

  private view(entry: LabelEntry): LabelView {
    return {
      app: entry.app,
      instance: entry.instance,
      labels: entry.labels,
      orphan: this.registry.snapshot().instance(entry.app, entry.instance) === undefined,
      updatedAt: new Date(entry.updatedAt).toISOString(),
    };
  }
}
