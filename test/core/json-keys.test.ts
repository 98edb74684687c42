import t from 'tap';
import { findDuplicateKey } from '../../core/json-keys.js';

const scan = (text: string, scope: 'routing' | 'all') => findDuplicateKey(Buffer.from(text), scope);

t.test('S19: a repeated route label is found, however its key is spelled', async (t) => {
  t.same(scan('{"labels":{"route":"a","route":"b"}}', 'routing'), { pointer: '/labels/route', position: 23 });
  t.match(scan('{"labels":{"route":"a","r\\u006fute":"b"}}', 'routing'), { pointer: '/labels/route' }, 'a \\u escape is the same key');
  t.match(scan('{ "labels" : { "route" : "a" ,\n "route" : "b" } }', 'routing'), { pointer: '/labels/route' }, 'whitespace');
  t.match(scan('{"labels":{"route":"a"},"x":1,"labels":{"route":"b"}}', 'routing'), { pointer: '/labels' }, 'two labels objects');
  t.match(scan('{"labels":{"route":"a"},"l\\u0061bels":{}}', 'routing'), { pointer: '/labels' }, 'an escaped labels key');
  t.match(scan('{"labels":{"a/b":"1","a/b":"2"}}', 'routing'), { pointer: '/labels/a~1b' }, 'pointer segments are escaped');
});

t.test('routing scope ignores duplicates routing does not read', async (t) => {
  t.equal(scan('{"params":{"labels":{"route":"a","route":"b"}}}', 'routing'), undefined, 'a nested labels object');
  t.equal(scan('{"code":"{\\"labels\\":{\\"route\\":\\"a\\",\\"route\\":\\"b\\"}}","labels":{"route":"a"}}', 'routing'), undefined, 'inside a string');
  t.equal(scan('{"a":1,"a":2,"labels":{"route":"x"}}', 'routing'), undefined, 'other top-level keys');
  t.equal(scan('{"labels":{"route":"a","x":{"k":1,"k":2}}}', 'routing'), undefined, 'objects below labels');
  t.equal(scan('{"labels":{"route":"a\\"","route2":"\\\\"}}', 'routing'), undefined, 'escaped quotes and backslashes end strings correctly');
  t.equal(scan('[{"labels":1,"labels":2}]', 'routing'), undefined, 'a top-level array has no labels');
});

t.test('S19: scope all finds a duplicate anywhere, with its pointer', async (t) => {
  t.match(scan('{"role":"user","role":"admin"}', 'all'), { pointer: '/role', position: 15 });
  t.match(scan('{"a":{"b":[1,{"c":1,"c":2}]}}', 'all'), { pointer: '/a/b/1/c' });
  t.match(scan('[{"x":1},{"x":1,"x\\u0000":2,"x":3}]', 'all'), { pointer: '/1/x' });
  t.equal(scan('{"a":{"c":1},"b":{"c":1},"c":[{"c":1},{"c":2}]}', 'all'), undefined, 'equal keys in different objects are fine');
  t.equal(scan('"just a string"', 'all'), undefined);
});
