/**
 * The label router (design §3.5, spec/linkis.md §4.2, corrected to exact matching).
 *
 *   application ── exact name, else one of `applicationPrefixes` + name ──► 10050 / 11010
 *   pinned instance (exec ID, ?instance=) ── registered and UP ──► that one, else 10051
 *                                                                  (or any live one: pinnedFallback: random)
 *   app in serverList (ROUTER_SERVER_LIST):
 *       route label given ──► live instances carrying it      none carry it: 11011, none live: 11012
 *                                                             (only unregistered instances carry it: 11012)
 *       no route label    ──► live instances carrying none     all labelled: 11011, none live: 11012
 *   other apps ──► every live instance                                        none live: 11012
 *
 * Candidate lists are computed once per registry snapshot and cached; a request only picks a
 * start index (random or round-robin) into a shared list. Only what the registry knows is
 * cached: names that resolve to an application, and route labels some instance of it carries
 * (registered or orphaned). A client's made-up names and labels cost a lookup, never memory,
 * and cannot push out the entries real traffic uses; the names cache is an LRU on top, for a
 * registry of thousands of applications.
 */
import { LRUCache } from 'lru-cache';
import { defineRouter, type InstanceView, type ParseTarget, type RegistrySnapshot, type RouteChoice, type RouteContext } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import type { AppView } from '../../core/registry/snapshot.js';

interface Options {
  serverList: string[];
  balance: 'random' | 'round-robin';
  pinnedFallback: 'error' | 'random';
  applicationPrefixes: string[];
}

const ROUTE = 'route';

/** Request names kept per snapshot; each costs one entry pointing at its application's routes. */
const MAX_NAMES = 1024;
/**
 * Unknown names (10050) kept per snapshot, apart from the known ones so they cannot evict them:
 * a client repeating one wrong name gets a cached answer (4.5 M route()/s against 0.15 M when
 * each request builds its error), a client making names up only churns these few entries.
 */
const MAX_UNKNOWN_NAMES = 64;

/** A cached outcome: candidates, or the error to throw (built per request, for its path). */
type Outcome =
  | { kind: 'ok'; application: string; candidates: readonly InstanceView[]; reason: string }
  | { kind: 'error'; fail: (target: ParseTarget, context: RouteContext) => GatewayError };

/** Every outcome one application can have in one snapshot, computed when first asked for. */
interface AppRoutes {
  /** By route label (`undefined`: the request has none); only labels some instance carries. */
  readonly byLabel: ReadonlyMap<string | undefined, Outcome>;
  /** Any other label: no instance carries it. */
  readonly otherwise: Outcome;
}

/** One snapshot's routes: by request name (lower-cased), and by application key. */
interface Table {
  readonly names: LRUCache<string, AppRoutes | Outcome>;
  readonly unknown: LRUCache<string, Outcome>;
  readonly apps: Map<string, AppRoutes>;
}

function isLive(instance: InstanceView): boolean {
  return instance.status === 'UP';
}

function labelsText(target: ParseTarget): string {
  return JSON.stringify(target.labels ?? {});
}

export default defineRouter<Options>({
  kind: 'router',
  name: 'label',
  version: '1.0.0',
  priority: 0,
  description: 'Label routing with ROUTER_SERVER_LIST, exec-ID pinning and balancing',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      serverList: { type: 'array', items: { type: 'string', minLength: 1 }, default: ['linkis-cg-entrance'] },
      balance: { enum: ['random', 'round-robin'], default: 'random' },
      pinnedFallback: { enum: ['error', 'random'], default: 'error' },
      applicationPrefixes: { type: 'array', items: { type: 'string' }, default: ['linkis-cg-', 'linkis-ps-', 'linkis-mg-'] },
    },
  },
  create(options) {
    const labelRouted = new Set(options.serverList.map((name) => name.toLowerCase()));
    const tables = new WeakMap<RegistrySnapshot, Table>();
    const roundRobin = new WeakMap<readonly InstanceView[], { next: number }>();

    function resolveApp(snapshot: RegistrySnapshot, name: string): AppView | GatewayError {
      const exact = snapshot.app(name);
      if (exact && exact.instances.length > 0) return exact;
      const prefixed = options.applicationPrefixes
        .map((prefix) => snapshot.app(prefix + name))
        .filter((app): app is AppView => app !== undefined && app.instances.length > 0);
      if (prefixed.length === 1) return prefixed[0]!;
      if (prefixed.length > 1) {
        return new GatewayError('LG_ERR_ROUTE_AMBIGUOUS_SERVICE', { application: name, services: prefixed.map((app) => app.name).join(',') });
      }
      return new GatewayError('LG_ERR_ROUTE_NO_APPLICATION', { application: name });
    }

    function routesOf(snapshot: RegistrySnapshot, app: AppView): AppRoutes {
      const noLive: Outcome = { kind: 'error', fail: () => new GatewayError('LG_ERR_ROUTE_NO_LIVE_INSTANCE', { application: app.name }) };
      const noLabelled: Outcome = {
        kind: 'error',
        fail: (target, context) => new GatewayError('LG_ERR_ROUTE_NO_LABELLED_INSTANCE', { path: context.path, labels: labelsText(target) }),
      };
      const ok = (candidates: InstanceView[], reason: string): Outcome => ({ kind: 'ok', application: app.name, candidates: Object.freeze(candidates), reason });

      if (!labelRouted.has(app.key)) {
        const live = app.instances.filter(isLive);
        return { byLabel: new Map(), otherwise: live.length > 0 ? ok(live, `live instances of ${app.name}`) : noLive };
      }
      const byLabel = new Map<string | undefined, Outcome>();
      const labelled = (route: string | undefined): Outcome => {
        const eligible = app.instances.filter((instance) => instance.labels[ROUTE] === route);
        // The label exists, but only on instances that are not registered now (restarting): retry.
        if (eligible.length === 0) return route === undefined ? noLabelled : noLive;
        const live = eligible.filter(isLive);
        if (live.length === 0) return noLive;
        return ok(live, route === undefined ? `live instances of ${app.name} without a route label` : `live instances of ${app.name} labelled route=${route}`);
      };
      byLabel.set(undefined, labelled(undefined));
      const orphans = snapshot.orphanLabels.get(app.key) ?? [];
      for (const { labels } of [...app.instances, ...orphans]) {
        const route = labels[ROUTE];
        if (route !== undefined && !byLabel.has(route)) byLabel.set(route, labelled(route));
      }
      return { byLabel, otherwise: noLabelled };
    }

    function tableOf(snapshot: RegistrySnapshot): Table {
      let table = tables.get(snapshot);
      if (!table) {
        table = { names: new LRUCache({ max: MAX_NAMES }), unknown: new LRUCache({ max: MAX_UNKNOWN_NAMES }), apps: new Map() };
        tables.set(snapshot, table);
      }
      return table;
    }

    /** The application's routes, or the error (ambiguity, 11010) every request of that name gets. */
    function named(snapshot: RegistrySnapshot, application: string): AppRoutes | Outcome {
      const table = tableOf(snapshot);
      const name = application.toLowerCase();
      let found = table.names.get(name) ?? table.unknown.get(name);
      if (found) return found;
      const app = resolveApp(snapshot, application);
      if (app instanceof GatewayError) {
        found = { kind: 'error', fail: () => app };
        if (app.code === 'LG_ERR_ROUTE_NO_APPLICATION') {
          table.unknown.set(name, found);
          return found;
        }
      } else {
        found = table.apps.get(app.key);
        if (!found) table.apps.set(app.key, (found = routesOf(snapshot, app)));
      }
      table.names.set(name, found);
      return found;
    }

    function outcome(snapshot: RegistrySnapshot, application: string, route: string | undefined): Outcome {
      const routes = named(snapshot, application);
      if ('kind' in routes) return routes;
      return routes.byLabel.get(route) ?? routes.otherwise;
    }

    function start(candidates: readonly InstanceView[]): number {
      if (candidates.length === 1) return 0;
      if (options.balance === 'random') return Math.floor(Math.random() * candidates.length);
      let counter = roundRobin.get(candidates);
      if (!counter) {
        counter = { next: 0 };
        roundRobin.set(candidates, counter);
      }
      const index = counter.next % candidates.length;
      counter.next = index + 1;
      return index;
    }

    function pinned(target: ParseTarget, context: RouteContext, instanceName: string): RouteChoice {
      const app = resolveApp(context.snapshot, target.application);
      if (app instanceof GatewayError) throw app;
      const instance = context.snapshot.instance(app.key, instanceName);
      if (instance && isLive(instance)) {
        return { application: app.name, candidates: [instance], start: 0, reason: `pinned to ${instance.hostPort}` };
      }
      if (options.pinnedFallback === 'random') {
        const any = outcome(context.snapshot, app.name, undefined);
        if (any.kind === 'error') throw any.fail(target, context);
        return { application: any.application, candidates: any.candidates, start: start(any.candidates), reason: `${instanceName} is not live; ${any.reason}` };
      }
      throw new GatewayError('LG_ERR_ROUTE_INSTANCE_NOT_FOUND', { instance: instanceName, application: app.name });
    }

    return {
      route(target, context) {
        if (target.instance !== undefined) return pinned(target, context, target.instance);
        const result = outcome(context.snapshot, target.application, target.labels?.[ROUTE]);
        if (result.kind === 'error') throw result.fail(target, context);
        return { application: result.application, candidates: result.candidates, start: start(result.candidates), reason: result.reason };
      },
    };
  },
});
