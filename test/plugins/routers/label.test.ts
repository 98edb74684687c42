import t from 'tap';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import label from '../../../plugins/routers/label.js';
import { buildSnapshot, makeInstance, type InstanceStatus } from '../../../core/registry/snapshot.js';
import { GatewayError } from '../../../core/errors.js';
import type { ParseTarget, PluginKit, RouterInstance } from '../../../core/contracts.js';
import { compileSchema } from '../../../core/schema-validator.js';

function instance(app: string, hostPort: string, labels: Record<string, string> = {}, status: InstanceStatus = 'UP') {
  const [host, port] = hostPort.split(':');
  return makeInstance({ app, host: host!, port: Number(port), labels, status, source: 'static' });
}

async function router(options: Record<string, unknown> = {}): Promise<RouterInstance> {
  const copy = structuredClone(options);
  compileSchema(label.optionsSchema)(copy);
  return label.create(copy as never, {} as PluginKit);
}

const snapshot = buildSnapshot(1, [
  instance('linkis-cg-entrance', 'e1:9104', { route: 'et1' }),
  instance('linkis-cg-entrance', 'e2:9104'),
  instance('linkis-cg-entrance', 'e3:9104', { route: 'offline' }),
  instance('linkis-cg-entrance', 'e4:9104', { route: 'et2' }, 'DOWN'),
  instance('linkis-ps-publicservice', 'ps1:9105', { route: 'cs1' }),
  instance('linkis-ps-publicservice', 'ps2:9105'),
  instance('linkis-cg-engineconnmanager', 'ecm1:9102'),
  instance('LINKIS-CG-LINKISMANAGER', 'lm1:9101'),
]);

function route(r: RouterInstance, target: ParseTarget, snap = snapshot) {
  return r.route(target, { snapshot: snap, method: 'POST', path: '/api/rest_j/v1/entrance/submit' });
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof GatewayError ? error.code : String(error);
  }
  return undefined;
}

t.test('without a route label, label-routed apps only use untagged live instances', async (t) => {
  const r = await router();
  for (let i = 0; i < 100; i++) t.same(route(r, { application: 'linkis-cg-entrance' }).candidates.map((c) => c.hostPort), ['e2:9104']);
});

t.test('with a route label, only instances carrying it', async (t) => {
  const r = await router();
  t.same(route(r, { application: 'linkis-cg-entrance', labels: { route: 'et1' } }).candidates.map((c) => c.hostPort), ['e1:9104']);
  t.same(route(r, { application: 'linkis-cg-entrance', labels: { route: 'offline' } }).candidates.map((c) => c.hostPort), ['e3:9104']);
});

t.test('an unknown label is 11011; a label whose instances are all down is 11012', async (t) => {
  const r = await router();
  t.equal(codeOf(() => route(r, { application: 'linkis-cg-entrance', labels: { route: 'nope' } })), 'LG_ERR_ROUTE_NO_LABELLED_INSTANCE');
  t.equal(codeOf(() => route(r, { application: 'linkis-cg-entrance', labels: { route: 'cs1' } })), 'LG_ERR_ROUTE_NO_LABELLED_INSTANCE', 'a label that only another app carries');
  t.equal(codeOf(() => route(r, { application: 'linkis-cg-entrance', labels: { route: 'et2' } })), 'LG_ERR_ROUTE_NO_LIVE_INSTANCE');
});

t.test('11011 carries the request path and the labels in its message', async (t) => {
  const r = await router();
  try {
    route(r, { application: 'linkis-cg-entrance', labels: { route: 'nope' } });
    t.fail('should have thrown');
  } catch (error) {
    t.match((error as Error).message, /errCode: 11011 .*URL:\/api\/rest_j\/v1\/entrance\/submit RouteLabel:\{"route":"nope"\}/);
  }
});

t.test('when every instance is labelled, unlabelled requests get 11011 (graceful offline of all)', async (t) => {
  const r = await router();
  const allOffline = buildSnapshot(2, [instance('linkis-cg-entrance', 'e1:9104', { route: 'offline' })]);
  t.equal(codeOf(() => route(r, { application: 'linkis-cg-entrance' }, allOffline)), 'LG_ERR_ROUTE_NO_LABELLED_INSTANCE');
});

t.test('apps outside serverList ignore labels and use every live instance', async (t) => {
  const r = await router();
  t.same(route(r, { application: 'linkis-ps-publicservice' }).candidates.map((c) => c.hostPort).sort(), ['ps1:9105', 'ps2:9105']);
  t.same(route(r, { application: 'linkis-ps-publicservice', labels: { route: 'whatever' } }).candidates.length, 2);
});

t.test('application names resolve exactly and case-insensitively, never by substring', async (t) => {
  const r = await router();
  t.equal(route(r, { application: 'linkis-cg-linkismanager' }).application, 'LINKIS-CG-LINKISMANAGER');
  t.equal(route(r, { application: 'engineconnManager' }).application, 'linkis-cg-engineconnmanager', 'via the linkis-cg- prefix');
  t.equal(codeOf(() => route(r, { application: 'entranc' })), 'LG_ERR_ROUTE_NO_APPLICATION');
  t.equal(codeOf(() => route(r, { application: 'cg-entrance' })), 'LG_ERR_ROUTE_NO_APPLICATION', 'no substring match');
});

t.test('two prefixed candidates are ambiguous (11010)', async (t) => {
  const r = await router();
  const both = buildSnapshot(3, [instance('linkis-cg-foo', 'a:1'), instance('linkis-ps-foo', 'b:1')]);
  t.equal(codeOf(() => route(r, { application: 'foo' }, both)), 'LG_ERR_ROUTE_AMBIGUOUS_SERVICE');
  const exact = buildSnapshot(4, [instance('foo', 'c:1'), instance('linkis-cg-foo', 'a:1')]);
  t.equal(route(r, { application: 'foo' }, exact).application, 'foo', 'an exact name wins over prefixed ones');
});

t.test('a pinned instance is used even when labelled; an unknown one is 10051', async (t) => {
  const r = await router();
  t.same(route(r, { application: 'linkis-cg-entrance', instance: 'e3:9104' }).candidates.map((c) => c.hostPort), ['e3:9104'], 'offline instances still get their own jobs');
  t.equal(codeOf(() => route(r, { application: 'linkis-cg-entrance', instance: 'e9:9104' })), 'LG_ERR_ROUTE_INSTANCE_NOT_FOUND');
  t.equal(codeOf(() => route(r, { application: 'linkis-cg-entrance', instance: 'e4:9104' })), 'LG_ERR_ROUTE_INSTANCE_NOT_FOUND', 'a DOWN instance is not live');
});

t.test('pinnedFallback: random sends an unknown pinned instance to a default instance (Linkis behaviour)', async (t) => {
  const r = await router({ pinnedFallback: 'random' });
  t.same(route(r, { application: 'linkis-cg-entrance', instance: 'e9:9104' }).candidates.map((c) => c.hostPort), ['e2:9104']);
});

t.test('round-robin balancing walks the candidates in turn; random covers them all', async (t) => {
  const many = buildSnapshot(5, ['a:1', 'b:1', 'c:1'].map((hp) => instance('svc', hp)));
  const rr = await router({ balance: 'round-robin' });
  const starts = Array.from({ length: 6 }, () => route(rr, { application: 'svc' }, many).start);
  t.same(starts, [0, 1, 2, 0, 1, 2]);
  const random = await router();
  const seen = new Set(Array.from({ length: 200 }, () => route(random, { application: 'svc' }, many).start));
  t.same([...seen].sort(), [0, 1, 2]);
});

t.test('candidate lists are computed once per snapshot', async (t) => {
  const r = await router();
  const first = route(r, { application: 'linkis-ps-publicservice' }).candidates;
  const second = route(r, { application: 'linkis-ps-publicservice' }).candidates;
  t.equal(first, second, 'the same array object: no per-request filtering');
});

t.test('48: a route label carried only by an unregistered instance is 11012 (retry), not 11011', async (t) => {
  const r = await router();
  const orphans = new Map([['linkis-cg-entrance', [{ hostPort: 'e1:9104', labels: { route: 'et1' } }]]]);
  const snap = buildSnapshot(6, [instance('linkis-cg-entrance', 'e2:9104')], orphans);
  t.equal(codeOf(() => route(r, { application: 'linkis-cg-entrance', labels: { route: 'et1' } }, snap)), 'LG_ERR_ROUTE_NO_LIVE_INSTANCE');
  t.equal(codeOf(() => route(r, { application: 'linkis-cg-entrance', labels: { route: 'et9' } }, snap)), 'LG_ERR_ROUTE_NO_LABELLED_INSTANCE');
  t.same(route(r, { application: 'linkis-cg-entrance' }, snap).candidates.map((c) => c.hostPort), ['e2:9104'], 'unlabelled traffic unaffected');
});

/** The heap after a full collection: what is still held, not garbage waiting for the collector. */
function heldBytes(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

const FLOOD = 200_000;
/** Far below what the flood costs when each distinct input is remembered (hundreds of MB). */
const HEAP_BUDGET = 8 * 1024 * 1024;

t.test('200,000 distinct route labels and application names from clients leave the heap within a fixed budget, and push out nothing the registry knows', async (t) => {
  const snap = buildSnapshot(7, [
    ...['a:1', 'b:1', 'c:1'].map((hp) => instance('linkis-cg-entrance', hp, { route: 'et1' })),
    instance('linkis-ps-publicservice', 'ps1:9105'),
  ]);
  const rr = await router({ balance: 'round-robin' });
  const known = { application: 'linkis-cg-entrance', labels: { route: 'et1' } };
  const first = route(rr, known, snap);
  const before = heldBytes();
  const outcomes = new Set<string>();
  for (let i = 0; i < FLOOD; i++) {
    outcomes.add(codeOf(() => route(rr, { application: 'linkis-cg-entrance', labels: { route: `random-${i}` } }, snap)) ?? 'routed');
    outcomes.add(codeOf(() => route(rr, { application: `random-app-${i}` }, snap)) ?? 'routed');
    outcomes.add(codeOf(() => route(rr, { application: 'linkis-ps-publicservice', labels: { route: `random-${i}` } }, snap)) ?? 'routed');
  }
  const grown = heldBytes() - before;
  t.same([...outcomes].sort(), ['LG_ERR_ROUTE_NO_APPLICATION', 'LG_ERR_ROUTE_NO_LABELLED_INSTANCE', 'routed']);
  t.ok(grown < HEAP_BUDGET, `the heap grew by ${(grown / 1048576).toFixed(1)} MiB (budget ${HEAP_BUDGET / 1048576} MiB)`);
  const next = route(rr, known, snap);
  t.equal(next.candidates, first.candidates, 'the known label keeps its candidate list');
  t.same([first.start, next.start], [0, 1], 'and round-robin carries on where it was');
});
