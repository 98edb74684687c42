/**
 * Counts of finished requests by route, application and status, with their latency
 * distribution, and of upstream attempts by application and instance. Recording is a few Map
 * lookups and number increments: the label strings of a cell are built once, when the cell is
 * first needed, never per request.
 *
 *   route (parser pattern / local endpoint object) ─► application ─► status ─► ExchangeCell
 *   application ─► host:port ─► UpstreamCell (retries, errors by code)
 */
import type { ErrorCode } from '../errors.js';
import { routeLabel, type RouteRef } from '../telemetry/exchange.js';

/** Seconds: from sub-millisecond gateway answers to long Linkis log polls. */
export const LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class ExchangeCell {
  count = 0;
  sumSeconds = 0;
  /** Per bucket, not cumulative; observations above the last bound count only in `count`. */
  readonly buckets = new Float64Array(LATENCY_BUCKETS.length);

  constructor(readonly labels: { readonly application: string; readonly route: string; readonly status: string }) {}

  observe(seconds: number): void {
    this.count++;
    this.sumSeconds += seconds;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= LATENCY_BUCKETS[i]!) {
        this.buckets[i]!++;
        return;
      }
    }
  }
}

class RouteCells {
  readonly byApplication = new Map<string, Map<number, ExchangeCell>>();

  constructor(readonly label: string) {}
}

/** Requests that never reached a route (refused path, no parser, 401 before parsing). */
const NO_ROUTE: RouteRef = Object.freeze({ name: '' });

export class RequestStats {
  private readonly routes = new Map<RouteRef, RouteCells>();

  record(route: RouteRef | undefined, application: string, status: number, seconds: number): void {
    const ref = route ?? NO_ROUTE;
    let routeCells = this.routes.get(ref);
    if (!routeCells) {
      routeCells = new RouteCells(routeLabel(route));
      this.routes.set(ref, routeCells);
    }
    let byStatus = routeCells.byApplication.get(application);
    if (!byStatus) {
      byStatus = new Map();
      routeCells.byApplication.set(application, byStatus);
    }
    let cell = byStatus.get(status);
    if (!cell) {
      cell = new ExchangeCell({ application, route: routeCells.label, status: String(status) });
      byStatus.set(status, cell);
    }
    cell.observe(seconds);
  }

  *cells(): Iterable<ExchangeCell> {
    for (const route of this.routes.values()) {
      for (const byStatus of route.byApplication.values()) yield* byStatus.values();
    }
  }

  /** Requests and server errors (5xx) per application since start, for the dashboard's rates. */
  totalsByApplication(): Map<string, { requests: number; errors: number }> {
    const totals = new Map<string, { requests: number; errors: number }>();
    for (const cell of this.cells()) {
      let total = totals.get(cell.labels.application);
      if (!total) totals.set(cell.labels.application, (total = { requests: 0, errors: 0 }));
      total.requests += cell.count;
      if (cell.labels.status.startsWith('5')) total.errors += cell.count;
    }
    return totals;
  }
}

export class UpstreamCell {
  retries = 0;
  readonly errors = new Map<ErrorCode, number>();

  constructor(readonly application: string, readonly upstream: string) {}
}

export class UpstreamStats {
  private readonly byApplication = new Map<string, Map<string, UpstreamCell>>();

  private cell(application: string, hostPort: string): UpstreamCell {
    let byUpstream = this.byApplication.get(application);
    if (!byUpstream) this.byApplication.set(application, (byUpstream = new Map()));
    let cell = byUpstream.get(hostPort);
    if (!cell) byUpstream.set(hostPort, (cell = new UpstreamCell(application, hostPort)));
    return cell;
  }

  retried(application: string, hostPort: string): void {
    this.cell(application, hostPort).retries++;
  }

  failed(application: string, hostPort: string, code: ErrorCode): void {
    const { errors } = this.cell(application, hostPort);
    errors.set(code, (errors.get(code) ?? 0) + 1);
  }

  *cells(): Iterable<UpstreamCell> {
    for (const byUpstream of this.byApplication.values()) yield* byUpstream.values();
  }
}
