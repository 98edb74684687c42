/** Frames written in one tick leave in one write (core/ws-write-batch.ts). */
import t from 'tap';
import { Writable } from 'node:stream';
import { WriteBatch } from '../../core/ws-write-batch.js';

function recorder() {
  const writes: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.map(({ chunk }) => (chunk as Buffer).toString()));
      done();
    },
  });
  return { stream, writes };
}

t.test('writes of one tick, promise jobs included, leave together and in order; the next tick starts a new batch', async (t) => {
  const { stream, writes } = recorder();
  const batch = new WriteBatch(stream);
  batch.hold();
  stream.write('a');
  await Promise.resolve();
  batch.hold();
  stream.write('b');
  stream.write('c');
  t.same(writes, [], 'held until the tick ends');
  await new Promise((resolve) => setImmediate(resolve));
  t.same(writes, [['a', 'b', 'c']]);
  batch.hold();
  stream.write('d');
  await new Promise((resolve) => setImmediate(resolve));
  t.same(writes, [['a', 'b', 'c'], ['d']]);
  t.equal(stream.writableCorked, 0, 'every cork is undone');
});

t.test('ending a held socket flushes what it holds', async (t) => {
  const { stream, writes } = recorder();
  new WriteBatch(stream).hold();
  stream.write('a');
  await new Promise<void>((resolve) => stream.end('b', resolve));
  t.same(writes.flat(), ['a', 'b']);
  t.equal(stream.writableCorked, 0);
});
