/** The etcd registry store against a real single-member etcd: the shared store contract, then what only etcd does. */
import t from 'tap';
import { EtcdConnection } from '../../../core/etcd/connection.js';
import { createLogger } from '../../../core/logger.js';
import { EtcdStore } from '../../../core/registry/etcd-store.js';
import { freePort, startEtcd } from '../../helpers/etcd.js';
import { eventually } from '../../helpers/eureka.js';
import { record, recorder, storeContract } from '../../helpers/store-contract.js';

const silent = createLogger('silent');
const etcd = await startEtcd(t);
const connections: EtcdConnection[] = [];
t.teardown(() => {
  for (const connection of connections) connection.close();
});

let prefixes = 0;
function connect(prefix = `/store-test-${prefixes++}/`, endpoints = etcd.endpoints, timeout = 2000): EtcdConnection {
  const connection = new EtcdConnection({ endpoints, prefix, timeout }, silent);
  connections.push(connection);
  return connection;
}

/** Two stores on one prefix through separate connections: two gateways. */
function gateways(): [EtcdStore, EtcdStore] {
  const prefix = `/store-test-${prefixes++}/`;
  return [new EtcdStore(connect(prefix), silent), new EtcdStore(connect(prefix), silent)];
}

t.test('the etcd store keeps the store contract', async (t) => {
  storeContract(t, async () => new EtcdStore(connect(), silent));
});

t.test('33: an instance lives under a lease of its TTL and, without heartbeats, both gateways see it go', async (t) => {
  const [a, b] = gateways();
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const seenByB = recorder();
  b.watch((await b.list()).revision + 1, seenByB.listener);
  await a.putInstance(record('foo', 'foo-1'), { ifModRevision: 0, ttlSeconds: 2 });
  t.equal((await b.lease('foo', 'foo-1'))?.ttlSeconds, 2, 'the lease TTL is the registered durationInSecs');
  await eventually(async () => (await a.getInstance('foo', 'foo-1')) === undefined, 10_000, 'lease expiry');
  await eventually(() => seenByB.events.some((event) => event.kind === 'instance' && event.type === 'delete'), 5000, 'the delete event at B');
  const deleted = seenByB.events.find((event) => event.kind === 'instance' && event.type === 'delete');
  t.equal(deleted?.kind === 'instance' && deleted.type === 'delete' ? deleted.reason : undefined, 'unknown', 'etcd does not say why a key went');
  t.equal(await b.renewInstance('foo', 'foo-1'), undefined, 'a heartbeat after expiry: gone');
});

t.test('32: heartbeats through another gateway alone keep an instance beyond its TTL, with no revisions', async (t) => {
  const [a, b] = gateways();
  t.teardown(() => Promise.all([a.close(), b.close()]));
  await a.putInstance(record('foo', 'foo-1'), { ifModRevision: 0, ttlSeconds: 2 });
  const before = (await a.list()).revision;
  const end = Date.now() + 4500;
  while (Date.now() < end) {
    t.ok(await b.renewInstance('FOO', 'foo-1'), 'renewed through B');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  t.ok(await a.getInstance('foo', 'foo-1'), 'alive after more than twice its TTL');
  t.equal((await a.list()).revision, before, '34: heartbeats wrote nothing');
});

t.test('37: a gateway that has not listed yet still renews a known instance (no 404 while syncing)', async (t) => {
  const [a, b] = gateways();
  t.teardown(() => Promise.all([a.close(), b.close()]));
  await a.putInstance(record('foo', 'foo-1'), { ifModRevision: 0, ttlSeconds: 30 });
  t.equal((await b.renewInstance('foo', 'foo-1'))?.id, 'foo-1');
});

t.test('a re-registration through another gateway moves the lease; heartbeats follow it', async (t) => {
  const [a, b] = gateways();
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const first = await a.putInstance(record('foo', 'foo-1'), { ifModRevision: 0, ttlSeconds: 30 });
  t.ok(await b.renewInstance('foo', 'foo-1'), 'B learns the first lease');
  const second = await a.putInstance(record('foo', 'foo-1'), { ifModRevision: first.ok ? first.instance.modRevision : -1, ttlSeconds: 30 });
  t.ok(second.ok);
  if (!first.ok || !second.ok) return;
  t.not(second.instance.leaseId, first.instance.leaseId, 'a register grants a new lease');
  t.equal(second.instance.createRevision, first.instance.createRevision);
  await eventually(async () => (await a.lease('foo', 'foo-1'))?.id === second.instance.leaseId, 5000, 'new lease');
  // The old lease is revoked a moment after the new one is written; until then renewing it is harmless.
  await eventually(async () => (await b.renewInstance('foo', 'foo-1'))?.leaseId === second.instance.leaseId, 5000, 'B renews the new lease');
  t.pass('B renews the new lease once the old one is revoked');
});

t.test('a watch from a compacted revision reports compaction', async (t) => {
  const store = new EtcdStore(connect(), silent);
  t.teardown(() => store.close());
  const start = (await store.list()).revision + 1;
  await store.putLabels('foo', '10.0.0.1:1', { route: 'a' });
  const last = await store.putLabels('foo', '10.0.0.1:1', { route: 'b' });
  if (!last.ok) throw new Error('label write failed');
  await connections[0]!.client.kv.compact({ revision: last.revision, physical: true });
  const old = recorder();
  store.watch(start, old.listener);
  await eventually(() => old.compacted === 1, 5000, 'compaction reported');
  t.same(old.events, [], 'nothing half-replayed');
});

t.test('an unreachable etcd is LG_ERR_REGISTRY_UNAVAILABLE (503) within the deadline, never "not found"', async (t) => {
  const store = new EtcdStore(connect('/nowhere/', [`http://127.0.0.1:${await freePort()}`], 500), silent);
  const started = Date.now();
  await t.rejects(store.renewInstance('foo', 'foo-1'), { code: 'LG_ERR_REGISTRY_UNAVAILABLE', httpStatus: 503 });
  await t.rejects(store.putInstance(record('foo', 'foo-1'), { ifModRevision: 0, ttlSeconds: 30 }), { code: 'LG_ERR_REGISTRY_UNAVAILABLE' });
  await t.rejects(store.list(), { code: 'LG_ERR_REGISTRY_UNAVAILABLE' });
  t.ok(Date.now() - started < 5000, 'each call gave up at its 500 ms deadline, not later');
});

t.test('36: calls fail while etcd is stopped and work again, and the watch resumes, once it is back', async (t) => {
  const [a, b] = gateways();
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const seen = recorder();
  b.watch((await b.list()).revision + 1, seen.listener);
  await a.putInstance(record('foo', 'before'), { ifModRevision: 0, ttlSeconds: 60 });
  await eventually(() => seen.events.length === 1, 5000, 'event before the outage');
  const member = etcd.members[0]!;
  await member.stop();
  await t.rejects(a.renewInstance('foo', 'before'), { code: 'LG_ERR_REGISTRY_UNAVAILABLE' }, 'a heartbeat is 503, not 404');
  await member.restart();
  await eventually(async () => (await a.putInstance(record('foo', 'after'), { ifModRevision: 0, ttlSeconds: 60 }).catch(() => undefined))?.ok === true, 15_000, 'writes again');
  await eventually(() => seen.events.some((event) => event.kind === 'instance' && event.type === 'put' && event.instance.id === 'after'), 15_000, 'the watch resumed');
  t.ok(await b.renewInstance('foo', 'before'), 'the lease survived the restart');
});
