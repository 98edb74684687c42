/**
 * The hook through which a worker pool (the body parser's piscina pool, core/body-pool.ts) shows
 * its load on /metrics without the metrics code knowing piscina: the pool registers a function
 * that reads its numbers, called only when Prometheus scrapes.
 *
 *   const stop = metricsService(kit.services)?.addWorkerPool('body', () => ({
 *     queueSize: pool.queueSize, utilization: pool.utilization, threads: pool.threads.length, completed: pool.completed,
 *   }));
 *   …when the pool closes: stop?.()
 */
import { CollectedMetric, type Sample } from './collected-metric.js';
import type { Registry } from 'prom-client';

export interface WorkerPoolStats {
  /** Tasks waiting for a free worker. */
  readonly queueSize: number;
  /** Share of the pool's capacity in use, 0 to 1 (piscina's `utilization`). */
  readonly utilization: number;
  readonly threads: number;
  /** Tasks completed since the pool started, when the pool counts them. */
  readonly completed?: number;
}

export type WorkerPoolSource = () => WorkerPoolStats;

export interface MetricsService {
  /** Publishes `labelgate_worker_pool_*{pool="<name>"}`; the returned function withdraws them. */
  addWorkerPool(name: string, source: WorkerPoolSource): () => void;
}

/** The metrics service plugins and modules find in `services.metrics`, if metrics are built in. */
export function metricsService(services: Readonly<Record<string, unknown>>): MetricsService | undefined {
  return services.metrics as MetricsService | undefined;
}

export class WorkerPools implements MetricsService {
  private readonly sources = new Map<string, WorkerPoolSource>();

  addWorkerPool(name: string, source: WorkerPoolSource): () => void {
    this.sources.set(name, source);
    return () => {
      if (this.sources.get(name) === source) this.sources.delete(name);
    };
  }

  private *samples(read: (stats: WorkerPoolStats) => number | undefined): Iterable<Sample> {
    for (const [pool, source] of this.sources) {
      const value = read(source());
      if (value !== undefined) yield { labels: { pool }, value };
    }
  }

  register(registry: Registry): void {
    new CollectedMetric('labelgate_worker_pool_queue_size', 'Tasks waiting for a free worker', 'gauge', () => this.samples((s) => s.queueSize)).register(registry);
    new CollectedMetric('labelgate_worker_pool_utilization_ratio', 'Share of the worker pool capacity in use (0 to 1)', 'gauge', () => this.samples((s) => s.utilization)).register(registry);
    new CollectedMetric('labelgate_worker_pool_threads', 'Worker threads running', 'gauge', () => this.samples((s) => s.threads)).register(registry);
    new CollectedMetric('labelgate_worker_pool_tasks_completed_total', 'Tasks the worker pool completed', 'counter', () => this.samples((s) => s.completed)).register(registry);
  }
}
