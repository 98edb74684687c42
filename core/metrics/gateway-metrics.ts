/**
 * Every metric /metrics exposes, in one Prometheus registry per gateway (never prom-client's
 * global one: tests and embedders run several gateways in one process). Names follow the
 * Prometheus conventions: a `labelgate_` prefix, base units (seconds), `_total` on counters.
 * The upstream's `host:port` is the label `upstream`, since Prometheus reserves `instance` for
 * the scraped target.
 *
 * Request-path values live in RequestStats/UpstreamStats cells; everything else is read from
 * its owner (registry snapshot, reloader, WebSocket gateway, worker pools) when scraped.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { ReloadOutcome, ConfigStatus } from '../reload.js';
import type { RegistryView } from '../registry/snapshot.js';
import type { WebSocketStats } from '../ws-stats.js';
import { CollectedMetric, histogramSamples, type Sample } from './collected-metric.js';
import { LATENCY_BUCKETS, RequestStats, UpstreamStats } from './request-stats.js';
import { WorkerPools } from './worker-pools.js';

export interface MetricSources {
  readonly registry: RegistryView;
  configStatus(): ConfigStatus;
  inflight(): number;
  websocket(): WebSocketStats | undefined;
}

function packageVersion(): string {
  try {
    // dist/core/metrics/ → the package root.
    const file = fileURLToPath(new URL('../../../package.json', import.meta.url));
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function* one(value: number | undefined, labels: Record<string, string> = {}): Iterable<Sample> {
  if (value !== undefined) yield { labels, value };
}

export class GatewayMetrics {
  readonly prometheus = new Registry();
  readonly requests = new RequestStats();
  readonly upstreams = new UpstreamStats();
  readonly workerPools = new WorkerPools();
  private readonly reloads = { ok: 0, failed: 0 };

  constructor(private readonly sources: MetricSources) {
    collectDefaultMetrics({ register: this.prometheus });
    this.registerRequests();
    this.registerState();
    this.workerPools.register(this.prometheus);
  }

  reloaded(outcome: ReloadOutcome): void {
    if (outcome.ok) this.reloads.ok++;
    else this.reloads.failed++;
  }

  private metric(name: string, help: string, type: 'counter' | 'gauge' | 'histogram', collect: () => Iterable<Sample>): void {
    new CollectedMetric(name, help, type, collect).register(this.prometheus);
  }

  private registerRequests(): void {
    const { requests, upstreams } = this;
    this.metric('labelgate_http_requests_total', 'HTTP requests answered, by application, route (parser/rule or local/endpoint) and status', 'counter', function* () {
      for (const cell of requests.cells()) yield { labels: cell.labels, value: cell.count };
    });
    const duration = 'labelgate_http_request_duration_seconds';
    this.metric(duration, 'Time from request arrival to the end of the response, by application, route and status', 'histogram', function* () {
      for (const cell of requests.cells()) yield* histogramSamples(duration, cell.labels, LATENCY_BUCKETS, cell.buckets, cell.sumSeconds, cell.count);
    });
    this.metric('labelgate_http_requests_in_flight', 'HTTP requests being handled now', 'gauge', () => one(this.sources.inflight()));
    this.metric('labelgate_upstream_errors_total', 'Upstream attempts that failed before the instance answered, by application, upstream (host:port) and error code', 'counter', function* () {
      for (const cell of upstreams.cells()) {
        for (const [code, value] of cell.errors) yield { labels: { application: cell.application, upstream: cell.upstream, code }, value };
      }
    });
    this.metric('labelgate_upstream_retries_total', 'Upstream attempts after the first one (retries), by application and the upstream retried to', 'counter', function* () {
      for (const cell of upstreams.cells()) if (cell.retries > 0) yield { labels: { application: cell.application, upstream: cell.upstream }, value: cell.retries };
    });
  }

  private registerState(): void {
    const { sources, reloads } = this;
    const build = { version: packageVersion(), node: process.version };
    this.metric('labelgate_build_info', 'Always 1; the labelgate and Node.js versions', 'gauge', () => one(1, build));
    this.metric('labelgate_config_reloads_total', 'Config reloads that changed the config (ok) or were refused (failed)', 'counter', function* () {
      yield { labels: { result: 'ok' }, value: reloads.ok };
      yield { labels: { result: 'failed' }, value: reloads.failed };
    });
    this.metric('labelgate_config_version', 'Version of the config in force (1 at start, +1 per applied reload)', 'gauge', () => one(sources.configStatus().version));
    this.metric('labelgate_config_last_reload_successful', '1 unless the last reload was refused (the previous config then stays in force)', 'gauge', () => one(sources.configStatus().error === null ? 1 : 0));
    this.metric('labelgate_config_loaded_timestamp_seconds', 'When the config in force was loaded, in Unix seconds', 'gauge', () => one(Date.parse(sources.configStatus().loadedAt) / 1000));
    this.metric('labelgate_registry_instances', 'Routable instances, by application and status', 'gauge', function* () {
      for (const app of sources.registry.snapshot().apps.values()) {
        const byStatus = new Map<string, number>();
        for (const instance of app.instances) byStatus.set(instance.status, (byStatus.get(instance.status) ?? 0) + 1);
        for (const [status, value] of byStatus) yield { labels: { application: app.name, status }, value };
      }
    });
    this.metric('labelgate_websocket_connections', 'Client WebSocket connections open now', 'gauge', () => one(sources.websocket()?.connections));
    this.metric('labelgate_websocket_connections_total', 'Client WebSocket connections accepted', 'counter', () => one(sources.websocket()?.accepted));
    this.metric('labelgate_websocket_messages_total', 'WebSocket frames received from clients and sent to clients', 'counter', function* () {
      const stats = sources.websocket();
      if (!stats) return;
      yield { labels: { direction: 'received' }, value: stats.framesFromClients };
      yield { labels: { direction: 'sent' }, value: stats.framesToClients };
    });
  }
}
