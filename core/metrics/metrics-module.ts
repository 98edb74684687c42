/**
 * The metrics module: counts exchanges and upstream attempts as they happen (when
 * `metrics.enabled`, read per request so a reload can switch it), and serves them on the admin
 * listener, behind `admin.token` like every admin route:
 *
 *   GET /metrics         Prometheus text format (core/metrics/gateway-metrics.ts lists them)
 *   GET /admin/traffic   requests and 5xx per application since start, for the dashboard's rates
 *
 * Worker pools plug in through `services.metrics` (core/metrics/worker-pools.ts).
 */
import type { GatewayModule } from '../modules.js';
import type { ExchangeObserver } from '../telemetry/exchange.js';
import type { WebSocketGateway } from '../ws-gateway.js';
import { GatewayMetrics } from './gateway-metrics.js';

function observer(metrics: GatewayMetrics): ExchangeObserver {
  return {
    completed(exchange) {
      if (exchange.pipeline.config.metrics.enabled) metrics.requests.record(exchange.route, exchange.application, exchange.status, exchange.durationMs / 1000);
    },
    upstreamAttempt(exchange, call, upstream) {
      if (call.attempt > 0 && exchange.pipeline.config.metrics.enabled) metrics.upstreams.retried(call.choice.application, upstream.hostPort);
    },
    upstreamFailed(exchange, call, upstream, code) {
      if (exchange.pipeline.config.metrics.enabled) metrics.upstreams.failed(call.choice.application, upstream.hostPort, code);
    },
  };
}

export function metricsModule(): GatewayModule & { readonly metrics: () => GatewayMetrics | undefined } {
  let metrics: GatewayMetrics | undefined;
  return {
    name: 'metrics',
    metrics: () => metrics,

    setup(context) {
      // The holder and reloader exist before the admin listener accepts its first scrape.
      const current = new GatewayMetrics({
        registry: context.registry,
        configStatus: () => context.reloader.status(),
        inflight: () => context.holder.inflight,
        websocket: () => (context.services.websocket as WebSocketGateway | undefined)?.stats,
      });
      metrics = current;
      context.services.metrics = current.workerPools;
      context.exchanges.observe(observer(current));
      context.adminModules.push((app) => {
        app.get('/metrics', async (_request, reply) => reply.header('content-type', current.prometheus.contentType).send(await current.prometheus.metrics()));
        app.get('/admin/traffic', async () => ({
          at: Date.now(),
          enabled: context.holder.current.config.metrics.enabled,
          inflight: context.holder.inflight,
          websocketConnections: (context.services.websocket as WebSocketGateway | undefined)?.stats.connections ?? 0,
          applications: [...current.requests.totalsByApplication()].map(([application, totals]) => ({ application, ...totals })),
        }));
      });
    },

    started(context) {
      context.reloader.onOutcome((outcome) => metrics?.reloaded(outcome));
    },
  };
}
