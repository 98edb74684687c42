import t from 'tap';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MemoryStore, type MemoryStoreOptions } from '../../../core/registry/memory-store.js';
import { makeTempDir } from '../../helpers/gateway.js';
import { record, recorder, storeContract } from '../../helpers/store-contract.js';

/** A store whose clock the test moves; the sweep is called by hand (the timer never fires). */
async function clocked(t: { teardown(fn: () => unknown): void }, options: Partial<MemoryStoreOptions> = {}) {
  const clock = { now: 1_000_000 };
  const store = await MemoryStore.open({ evictionIntervalMs: 3_600_000, now: () => clock.now, ...options });
  t.teardown(() => store.close());
  return { store, clock };
}

t.test('the memory store keeps the store contract', async (t) => {
  storeContract(t, () => MemoryStore.open({ evictionIntervalMs: 3_600_000 }));
});

t.test('14: a lease expires at last renewal + TTL, not twice that', async (t) => {
  const { store, clock } = await clocked(t);
  const seen = recorder();
  store.watch(1, seen.listener);
  await store.putInstance(record('foo', 'foo-1'), { ttlSeconds: 2 });
  clock.now += 2000;
  store.sweep();
  t.ok(await store.getInstance('foo', 'foo-1'), 'alive at exactly TTL');
  clock.now += 1;
  store.sweep();
  t.equal(await store.getInstance('foo', 'foo-1'), undefined, 'gone just after');
  const last = seen.events.at(-1);
  t.equal(last?.kind === 'instance' && last.type === 'delete' ? last.reason : undefined, 'expire');
});

t.test('15: renewals every second keep a 2-second lease alive for 10 s and more', async (t) => {
  const { store, clock } = await clocked(t);
  await store.putInstance(record('foo', 'foo-1'), { ttlSeconds: 2 });
  for (let ms = 0; ms < 12_000; ms += 100) {
    clock.now += 100;
    if (ms % 1000 === 0) await store.renewInstance('foo', 'foo-1');
    store.sweep();
  }
  t.ok(await store.getInstance('foo', 'foo-1'));
});

t.test('a heartbeat on a lease past its end is refused even before the sweep runs', async (t) => {
  const { store, clock } = await clocked(t);
  await store.putInstance(record('foo', 'foo-1'), { ttlSeconds: 2 });
  clock.now += 2001;
  t.equal(await store.renewInstance('foo', 'foo-1'), undefined);
  t.equal(await store.getInstance('foo', 'foo-1'), undefined, 'expired on the spot');
});

t.test('16: self-preservation holds expired leases while renewals are at or below the threshold', async (t) => {
  const selfPreservation = { renewalPercentThreshold: 0.85, windowMs: 2000, expectedRenewIntervalMs: 1000 };
  const run = async (options: Partial<MemoryStoreOptions>) => {
    const { store, clock } = await clocked(t, options);
    for (const id of ['a', 'b', 'c', 'd']) await store.putInstance(record('foo', id), { ttlSeconds: 2 });
    // Only `a` renews, every 500 ms: 4 renewals per 2 s window; expected 4 × 2 = 8, threshold floor(6.8) = 6.
    for (let step = 0; step < 10; step++) {
      clock.now += 500;
      await store.renewInstance('foo', 'a');
      store.sweep();
    }
    return (await store.list()).instances.map((instance) => instance.id).sort();
  };
  t.same(await run({ selfPreservation }), ['a', 'b', 'c', 'd'], 'preserved');
  t.same(await run({}), ['a'], 'off by default: the three silent ones are evicted');
});

t.test('16: with self-preservation on, expiry resumes once renewals exceed the threshold', async (t) => {
  const { store, clock } = await clocked(t, { selfPreservation: { renewalPercentThreshold: 0.85, windowMs: 2000, expectedRenewIntervalMs: 1000 } });
  for (const id of ['a', 'b', 'c', 'd']) await store.putInstance(record('foo', id), { ttlSeconds: 2 });
  for (let step = 0; step < 10; step++) {
    clock.now += 500;
    for (const id of ['a', 'b', 'c']) await store.renewInstance('foo', id);
    store.sweep();
  }
  t.same((await store.list()).instances.map((instance) => instance.id).sort(), ['a', 'b', 'c'], '12 renewals per window > 6: d expires');
});

t.test('a watch from a trimmed revision reports compaction', async (t) => {
  const { store } = await clocked(t, { historyLimit: 2 });
  for (const id of ['a', 'b', 'c']) await store.putInstance(record('foo', id), { ttlSeconds: 30 });
  const old = recorder();
  store.watch(1, old.listener);
  t.equal(old.compacted, 1);
  t.same(old.events, []);
  const recent = recorder();
  store.watch(2, recent.listener);
  t.same(recent.events.map((e) => e.revision), [2, 3]);
});

t.test('a watcher that writes while hearing an event does not reorder what others hear', async (t) => {
  const { store } = await clocked(t);
  const order: number[] = [];
  store.watch(1, { events: (batch) => {
    for (const event of batch) if (event.kind === 'instance' && event.type === 'put' && event.instance.id === 'a') void store.putLabels('foo', '127.0.0.1:9000', { route: 'x' });
  }, compacted: () => undefined });
  store.watch(1, { events: (batch) => order.push(...batch.map((e) => e.revision)), compacted: () => undefined });
  await store.putInstance(record('foo', 'a'), { ttlSeconds: 30 });
  t.same(order, [1, 2]);
});

t.test('labels persist to labels.file and come back when the store reopens', async (t) => {
  const dir = await makeTempDir();
  const labelsFile = path.join(dir, 'nested', 'labels.json');
  const first = await MemoryStore.open({ evictionIntervalMs: 60_000, labelsFile });
  await first.putLabels('linkis-cg-entrance', '10.0.0.1:9104', { route: 'et1' });
  await first.putLabels('linkis-cg-entrance', '10.0.0.2:9104', { route: 'offline' });
  await first.deleteLabels('linkis-cg-entrance', '10.0.0.2:9104');
  await first.close();
  t.match(JSON.parse(await readFile(labelsFile, 'utf8')), { version: 1, labels: [{ app: 'linkis-cg-entrance', instance: '10.0.0.1:9104' }] });
  const second = await MemoryStore.open({ evictionIntervalMs: 60_000, labelsFile });
  t.teardown(() => second.close());
  t.same((await second.list()).labels.map((entry) => [entry.instance, entry.labels]), [['10.0.0.1:9104', { route: 'et1' }]]);
  const listed = await second.list();
  t.equal(listed.revision, 1, 'loaded labels count as history the watch cannot replay');
});

t.test('a corrupt labels file refuses to open; a missing one is an empty start', async (t) => {
  const dir = await makeTempDir();
  const labelsFile = path.join(dir, 'labels.json');
  const empty = await MemoryStore.open({ evictionIntervalMs: 60_000, labelsFile });
  t.same((await empty.list()).labels, []);
  await empty.close();
  for (const text of ['{"version": 1, "labels": [', '{"version": 2, "labels": []}', '{"version": 1, "labels": [{"app": "a", "instance": "h:1", "labels": {"route": 1}}]}']) {
    await writeFile(labelsFile, text);
    await t.rejects(MemoryStore.open({ evictionIntervalMs: 60_000, labelsFile }), { code: 'LG_ERR_REGISTRY_LABELS_FILE' }, text);
  }
});

t.test('a label write that cannot reach the disk rejects with LG_ERR_REGISTRY_LABELS_FILE', async (t) => {
  const dir = await makeTempDir();
  const store = await MemoryStore.open({ evictionIntervalMs: 60_000, labelsFile: path.join(dir, 'sub', 'labels.json') });
  t.teardown(() => store.close());
  await writeFile(path.join(dir, 'sub'), 'a file where the directory should be');
  await t.rejects(store.putLabels('a', 'h:1', { route: 'x' }), { code: 'LG_ERR_REGISTRY_LABELS_FILE' });
});
