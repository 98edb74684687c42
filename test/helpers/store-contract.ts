/**
 * The behaviour every RegistryStore owes its callers (core/registry/store.ts), as one suite run
 * against each implementation: `storeContract(t, () => MemoryStore.open(…))`, and the etcd
 * store the same way (test/core/registry/etcd-store.test.ts). Only what holds without a
 * controllable clock is here; lease timing is tested per store. Watch delivery may be
 * asynchronous (etcd), so watch assertions wait for the events; nothing else may write to the
 * store's revision counter while a test runs.
 */
import type * as Tap from 'tap';
import type { EurekaRecord } from '../../core/registry/eureka-record.js';
import type { RegistryStore, StoreEvent } from '../../core/registry/store.js';
import { eventually } from './eureka.js';

type Test = Tap.Test;

export function record(app: string, id: string, fields: Partial<EurekaRecord> = {}): EurekaRecord {
  return {
    instanceId: id, hostName: '127.0.0.1', app: app.toUpperCase(), ipAddr: '127.0.0.1', status: 'UP', overriddenStatus: 'UNKNOWN',
    port: { $: 9000, '@enabled': 'true' }, securePort: { $: 443, '@enabled': 'false' }, countryId: 1,
    dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
    leaseInfo: { renewalIntervalInSecs: 30, durationInSecs: 90, registrationTimestamp: 1, lastRenewalTimestamp: 1, evictionTimestamp: 0, serviceUpTimestamp: 1 },
    metadata: {}, isCoordinatingDiscoveryServer: 'false', lastUpdatedTimestamp: '1', lastDirtyTimestamp: '1',
    ...fields,
  };
}

/** Collects what a watch delivers. */
export function recorder(): { events: StoreEvent[]; compacted: number; listener: { events(batch: readonly StoreEvent[]): void; compacted(): void } } {
  const state = { events: [] as StoreEvent[], compacted: 0 };
  return {
    get events() { return state.events; },
    get compacted() { return state.compacted; },
    listener: { events: (batch) => state.events.push(...batch), compacted: () => void state.compacted++ },
  };
}

export function storeContract(tap: Test, open: () => Promise<RegistryStore>): void {
  const fresh = async (t: Test) => {
    const store = await open();
    t.teardown(() => store.close());
    return store;
  };

  tap.test('a registration is readable, listed, and moves the revision by one', async (t) => {
    const store = await fresh(t);
    const before = (await store.list()).revision;
    const result = await store.putInstance(record('foo', 'foo-1'), { ifModRevision: 0, ttlSeconds: 30 });
    t.ok(result.ok);
    if (!result.ok) return;
    t.equal(result.revision, before + 1);
    t.equal(result.instance.createRevision, result.revision);
    t.equal((await store.getInstance('foo', 'foo-1'))?.record.instanceId, 'foo-1', 'app names are case-insensitive');
    const listed = await store.list();
    t.equal(listed.revision, result.revision);
    t.same(listed.instances.map((i) => i.id), ['foo-1']);
  });

  tap.test('compare-and-swap refuses a stale revision and "only if absent" for an existing key', async (t) => {
    const store = await fresh(t);
    const first = await store.putInstance(record('foo', 'foo-1'), { ifModRevision: 0, ttlSeconds: 30 });
    t.notOk((await store.putInstance(record('foo', 'foo-1'), { ifModRevision: 0, ttlSeconds: 30 })).ok, 'absent expected');
    const second = await store.putInstance(record('foo', 'foo-1', { status: 'DOWN' }), { ifModRevision: first.ok ? first.instance.modRevision : -1 });
    t.ok(second.ok, 'the revision read');
    const stale = await store.putInstance(record('foo', 'foo-1'), { ifModRevision: first.ok ? first.instance.modRevision : -1 });
    t.notOk(stale.ok);
    t.equal(!stale.ok && stale.current?.record.status, 'DOWN', 'a failed compare shows what is there');
    if (second.ok && first.ok) t.equal(second.instance.createRevision, first.instance.createRevision, 'createRevision kept');
  });

  tap.test('a put without a lease only updates an existing instance and keeps its lease', async (t) => {
    const store = await fresh(t);
    t.notOk((await store.putInstance(record('foo', 'foo-1'), {})).ok, 'no instance to update');
    const created = await store.putInstance(record('foo', 'foo-1'), { ttlSeconds: 30 });
    const updated = await store.putInstance(record('foo', 'foo-1', { metadata: { route: 'x' } }), {});
    t.ok(updated.ok);
    if (created.ok && updated.ok) t.equal(updated.instance.leaseId, created.instance.leaseId);
  });

  tap.test('heartbeats renew without a revision; unknown instances renew to undefined', async (t) => {
    const store = await fresh(t);
    await store.putInstance(record('foo', 'foo-1'), { ttlSeconds: 30 });
    const before = (await store.list()).revision;
    for (let i = 0; i < 5; i++) t.ok(await store.renewInstance('FOO', 'foo-1'));
    t.equal((await store.list()).revision, before, 'no revision for heartbeats');
    t.equal(await store.renewInstance('FOO', 'nope'), undefined);
    t.equal((await store.lease('FOO', 'foo-1'))?.ttlSeconds, 30);
  });

  tap.test('a cancel removes the instance and reports what it removed', async (t) => {
    const store = await fresh(t);
    await store.putInstance(record('foo', 'foo-1'), { ttlSeconds: 30 });
    const removed = await store.deleteInstance('foo', 'foo-1');
    t.equal(removed?.previous.id, 'foo-1');
    t.equal(removed?.revision, (await store.list()).revision);
    t.equal(await store.getInstance('foo', 'foo-1'), undefined);
    t.equal(await store.deleteInstance('foo', 'foo-1'), undefined);
    t.equal(await store.lease('foo', 'foo-1'), undefined);
  });

  tap.test('a watch from a past revision replays, then streams, in revision order', async (t) => {
    const store = await fresh(t);
    const start = (await store.list()).revision + 1;
    await store.putInstance(record('foo', 'foo-1'), { ttlSeconds: 30 });
    const seen = recorder();
    const watch = store.watch(start, seen.listener);
    t.teardown(() => watch.close());
    await store.putLabels('foo', '127.0.0.1:9000', { route: 'et1' });
    await store.deleteInstance('foo', 'foo-1');
    await store.deleteLabels('foo', '127.0.0.1:9000');
    await eventually(() => seen.events.length >= 4, 10_000, 'four watch events');
    const described = seen.events.map((e) => `${e.kind}:${e.type}`);
    t.same(described, ['instance:put', 'labels:put', 'instance:delete', 'labels:delete']);
    t.same(seen.events.map((e) => e.revision), [start, start + 1, start + 2, start + 3]);
    const deleted = seen.events[2];
    t.equal(deleted?.kind === 'instance' && deleted.type === 'delete' ? deleted.reason : undefined, 'cancel');
  });

  tap.test('labels live apart from instances, compare-and-swap on their revision', async (t) => {
    const store = await fresh(t);
    const put = await store.putLabels('Linkis-CG-Entrance', '10.0.0.1:9104', { route: 'et1' });
    t.ok(put.ok);
    t.same((await store.getLabels('linkis-cg-entrance', '10.0.0.1:9104'))?.labels, { route: 'et1' }, 'app case-insensitive');
    t.notOk((await store.putLabels('linkis-cg-entrance', '10.0.0.1:9104', { route: 'x' }, 0)).ok, 'stale compare');
    t.same((await store.list()).labels.map((entry) => entry.instance), ['10.0.0.1:9104']);
    const removed = await store.deleteLabels('LINKIS-CG-ENTRANCE', '10.0.0.1:9104');
    t.same(removed?.previous.labels, { route: 'et1' });
    t.equal(await store.deleteLabels('linkis-cg-entrance', '10.0.0.1:9104'), undefined);
  });
}
