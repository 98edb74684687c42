import t from 'tap';
import fc from 'fast-check';
import { findDuplicateKey, findDuplicateKeyParsed } from '../../core/json-keys.js';

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

t.test('findDuplicateKeyParsed answers as the full scan, from key counts', async (t) => {
  const cases = [
    '{"role":"user","role":"admin"}', '{"a":{"b":[1,{"c":1,"c":2}]}}', '[{"x":1},{"x":1,"x\\u0000":2,"x":3}]',
    '{"a":{"c":1},"b":{"c":1},"c":[{"c":1},{"c":2}]}', '"just a string"', '{"r\\u006fute":1,"route":2}',
    '{"__proto__":1,"__proto__":2}', '{"__proto__":{"a":1},"b":[]}', '{"s":"{\\"k\\":1,\\"k\\":2}","t":[[],{}]}',
    '{"1":1,"01":2,"1.0":3}', '{"a":[{"b":1}],"a":[]}', '{}', '[]', '{"id":1,"method":"/x","data":{"labels":{"route":"a"}}}',
  ];
  for (const text of cases) t.same(findDuplicateKeyParsed(Buffer.from(text), JSON.parse(text)), scan(text, 'all'), text);
  const keys = fc.constantFrom('a', 'b', 'a\\u0062', 'ab', '__proto__', '');
  const json: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom('1', 'null', '"a"', '"a\\"b"'),
      fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
      fc.array(fc.tuple(keys, tie('value')), { maxLength: 4 }).map((entries) => `{${entries.map(([key, value]) => `"${key}":${value}`).join(',')}}`),
    ),
  })).value;
  fc.assert(fc.property(json, (text) => {
    const counted = findDuplicateKeyParsed(Buffer.from(text), JSON.parse(text));
    const scanned = scan(text, 'all');
    return counted?.pointer === scanned?.pointer && counted?.position === scanned?.position;
  }), { numRuns: 500 });
  t.pass('generated texts with repeated and escaped keys: the same answers');
});
