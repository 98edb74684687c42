/**
 * A metric whose samples are computed when Prometheus scrapes, from state the gateway keeps
 * anyway (plain numbers on the request path, the registry snapshot, the WebSocket gateway).
 * prom-client's own Counter and Histogram hash their label object on every `inc`/`observe`;
 * the request path instead bumps fields of cells it found by a few Map lookups, and this class
 * turns those cells into samples at scrape time.
 *
 * prom-client's Registry only needs `name`, `help`, `type` and `get()` of what it registers;
 * its TypeScript type names the four built-in classes, hence the one cast in `register`.
 */
import type { Metric, Registry } from 'prom-client';

export type Labels = Readonly<Record<string, string | number>>;

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
  /** `<name>_bucket`, `_sum`, `_count` for histograms; the metric's name otherwise. */
  readonly metricName?: string;
}

export type MetricType = 'counter' | 'gauge' | 'histogram';

export class CollectedMetric {
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    private readonly collect: () => Iterable<Sample>,
  ) {}

  async get(): Promise<{ name: string; help: string; type: MetricType; aggregator: string; values: Sample[] }> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: [...this.collect()] };
  }

  register(registry: Registry): this {
    registry.registerMetric(this as unknown as Metric);
    return this;
  }
}

/** Bucket counts (not cumulative), their sum and count, as histogram samples. */
export function* histogramSamples(name: string, labels: Labels, bounds: readonly number[], buckets: ArrayLike<number>, sum: number, count: number): Iterable<Sample> {
  let cumulative = 0;
  for (let i = 0; i < bounds.length; i++) {
    cumulative += buckets[i]!;
    yield { metricName: `${name}_bucket`, labels: { ...labels, le: bounds[i]! }, value: cumulative };
  }
  yield { metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count };
  yield { metricName: `${name}_sum`, labels, value: sum };
  yield { metricName: `${name}_count`, labels, value: count };
}
