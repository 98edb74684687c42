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
 * start index (random or round-robin) into a shared list.
 */
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

/** A cached outcome: candidates, or the error to throw (built per request, for its path). */
type Outcome =
  | { kind: 'ok'; application: string; candidates: readonly InstanceView[]; reason: string }
  | { kind: 'error'; fail: (target: ParseTarget, context: RouteContext) => GatewayError };

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
    const tables = new WeakMap<RegistrySnapshot, Map<string, Outcome>>();
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

    function compute(snapshot: RegistrySnapshot, applicationName: string, route: string | undefined): Outcome {
      const app = resolveApp(snapshot, applicationName);
      if (app instanceof GatewayError) return { kind: 'error', fail: () => app };
      const noLive = (): Outcome => ({ kind: 'error', fail: () => new GatewayError('LG_ERR_ROUTE_NO_LIVE_INSTANCE', { application: app.name }) });
      const noLabelled = (): Outcome => ({
        kind: 'error',
        fail: (target, context) => new GatewayError('LG_ERR_ROUTE_NO_LABELLED_INSTANCE', { path: context.path, labels: labelsText(target) }),
      });
      const ok = (candidates: InstanceView[], reason: string): Outcome => ({ kind: 'ok', application: app.name, candidates: Object.freeze(candidates), reason });

      if (!labelRouted.has(app.key)) {
        const live = app.instances.filter(isLive);
        return live.length > 0 ? ok(live, `live instances of ${app.name}`) : noLive();
      }
      const eligible = app.instances.filter((instance) => instance.labels[ROUTE] === route);
      if (eligible.length === 0) {
        // The label exists, but only on instances that are not registered now (restarting): retry.
        const absent = route !== undefined && (snapshot.orphanLabels.get(app.key) ?? []).some((orphan) => orphan.labels[ROUTE] === route);
        return absent ? noLive() : noLabelled();
      }
      const live = eligible.filter(isLive);
      if (live.length === 0) return noLive();
      return ok(live, route === undefined ? `live instances of ${app.name} without a route label` : `live instances of ${app.name} labelled route=${route}`);
    }

    function outcome(snapshot: RegistrySnapshot, application: string, route: string | undefined): Outcome {
      let table = tables.get(snapshot);
      if (!table) {
        table = new Map();
        tables.set(snapshot, table);
      }
      const key = `${application.toLowerCase()}\u0000${route ?? ''}\u0000${route === undefined ? 0 : 1}`;
      let cached = table.get(key);
      if (!cached) {
        cached = compute(snapshot, application, route);
        table.set(key, cached);
      }
      return cached;
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
