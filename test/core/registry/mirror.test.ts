import t from 'tap';
import { createLogger } from '../../../core/logger.js';
import { DeltaRing } from '../../../core/registry/delta-ring.js';
import { MemoryStore } from '../../../core/registry/memory-store.js';
import { RegistryMirror } from '../../../core/registry/mirror.js';
import type { RegistryStore, StoreWatch, WatchListener } from '../../../core/registry/store.js';
import { eventually } from '../../helpers/eureka.js';
import { record } from '../../helpers/store-contract.js';

const logger = createLogger('silent');

async function opened(t: { teardown(fn: () => unknown): void }) {
  const store = await MemoryStore.open({ evictionIntervalMs: 3_600_000 });
  t.teardown(() => store.close());
  return store;
}

t.test('the mirror lists, then follows the change stream; waitFor resolves at the write\'s revision', async (t) => {
  const store = await opened(t);
  await store.putInstance(record('foo', 'before'), { ttlSeconds: 30 });
  const mirror = new RegistryMirror(store, 180_000, logger);
  t.teardown(() => mirror.close());
  await mirror.start();
  t.ok(mirror.synced);
  t.same([...mirror.instances()].map((i) => [i.record.instanceId, i.action]), [['before', 'ADDED']]);
  const changes: unknown[] = [];
  mirror.onChange((change) => changes.push(change));
  const put = await store.putInstance(record('foo', 'after'), { ttlSeconds: 30 });
  await mirror.waitFor(put.ok ? put.revision : Infinity);
  t.ok(mirror.instance('FOO', 'after'));
  await store.putInstance(record('foo', 'after', { status: 'DOWN' }), {});
  t.equal(mirror.instance('foo', 'after')?.action, 'MODIFIED', 'a second put of an id is MODIFIED');
  await store.putLabels('foo', '127.0.0.1:9000', { route: 'x' });
  t.same(mirror.labelsOf('FOO', '127.0.0.1:9000')?.labels, { route: 'x' });
  t.same(changes, [{ instances: true, labels: false }, { instances: true, labels: false }, { instances: false, labels: true }]);
  t.same(mirror.delta.changes().map((c) => [c.record.instanceId, c.action]), [['after', 'ADDED'], ['after', 'MODIFIED']]);
});

/** A store whose first watch hears nothing and is later told it was compacted (etcd after a long disconnect). */
function losingFirstWatch(store: RegistryStore): { store: RegistryStore; compact(): void } {
  let lost: WatchListener | undefined;
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'watch') return Reflect.get(target, property, receiver);
      return (from: number, listener: WatchListener): StoreWatch => {
        if (!lost) {
          lost = listener;
          return { close: () => undefined };
        }
        return target.watch(from, listener);
      };
    },
  });
  return { store: proxy, compact: () => lost?.compacted() };
}

t.test('a compacted watch makes the mirror list again, drop its delta ring and say everything changed', async (t) => {
  const store = await opened(t);
  const flaky = losingFirstWatch(store);
  const mirror = new RegistryMirror(flaky.store, 180_000, logger);
  t.teardown(() => mirror.close());
  await mirror.start();
  await store.putInstance(record('foo', 'missed'), { ttlSeconds: 30 });
  t.notOk(mirror.instance('foo', 'missed'), 'the first watch lost it');
  const changes: unknown[] = [];
  mirror.onChange((change) => changes.push(change));
  flaky.compact();
  await eventually(() => mirror.instance('foo', 'missed') !== undefined, 10_000, 'the re-list');
  t.pass('the re-list found what the dead watch missed');
  t.same(changes, [{ instances: true, labels: true }]);
  t.same(mirror.delta.changes(), [], 'no half-known delta: clients fall back to a full fetch');
  await store.putInstance(record('foo', 'later'), { ttlSeconds: 30 });
  t.ok(mirror.instance('foo', 'later'), 'watching again');
});

t.test('the delta ring forgets changes older than its retention', async (t) => {
  const clock = { now: 0 };
  const ring = new DeltaRing(180_000, () => clock.now);
  ring.push({ record: record('a', 'a-1'), action: 'ADDED' });
  clock.now = 100_000;
  ring.push({ record: record('a', 'a-2'), action: 'ADDED' });
  clock.now = 180_000;
  t.equal(ring.changes().length, 2, 'exactly 3 minutes old is kept');
  clock.now = 180_001;
  t.same(ring.changes().map((c) => c.record.instanceId), ['a-2']);
});
