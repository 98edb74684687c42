/** The etcd key layout: prefixes, encoded segments, and what a registry key names. */
import t from 'tap';
import { EtcdKeys, prefixRange } from '../../../core/etcd/keys.js';

t.test('a prefix range ends just past every key with the prefix', async (t) => {
  t.same(prefixRange('/lg/registry/'), { key: Buffer.from('/lg/registry/'), rangeEnd: Buffer.from('/lg/registry0') });
  t.same(prefixRange('a\u00ff').rangeEnd, Buffer.from([0x61, 0xc3, 0xc0]), 'the last byte below 0xff is incremented');
});

t.test('instance ids with colons and slashes stay one segment; apps are upper-cased; labels share the registry range', async (t) => {
  const keys = new EtcdKeys('/lg');
  t.equal(keys.prefix, '/lg/', 'a missing trailing slash is added');
  const key = keys.instance('orders', 'host1:orders:9205/x');
  t.equal(key, '/lg/registry/instances/ORDERS/host1%3Aorders%3A9205%2Fx');
  t.same(keys.parseRegistry(key), { kind: 'instance', app: 'ORDERS', id: 'host1:orders:9205/x' });
  t.same(keys.parseRegistry(keys.labels('linkis-cg-entrance', '10.0.0.1:9104')), { kind: 'labels', app: 'LINKIS-CG-ENTRANCE', instance: '10.0.0.1:9104' });
  t.ok(keys.labels('a', 'h:1').startsWith(keys.registry));
});

t.test('keys outside the registry, or not in its shape, name nothing', async (t) => {
  const keys = new EtcdKeys('/lg/');
  for (const key of [keys.session('x'), keys.config, keys.member('m'), '/lg/registry/instances/APP', '/lg/registry/instances/A/b/c', '/lg/registry/other/A/b', '/lg/registry/instances/A/%E0%A4%A']) {
    t.equal(keys.parseRegistry(key), undefined, key);
  }
});
