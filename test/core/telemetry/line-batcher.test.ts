import t from 'tap';
import { LineBatcher } from '../../../core/telemetry/line-batcher.js';
import { eventually } from '../../helpers/eureka.js';

function recorder() {
  const writes: string[] = [];
  return { writes, sink: { write: (text: string) => writes.push(text) } };
}

t.test('lines written together reach the destination in one write, in order, after the delay', async (t) => {
  const { writes, sink } = recorder();
  const batcher = new LineBatcher(sink, { delayMs: 5, maxBytes: 1024 });
  batcher.write('a\n');
  batcher.write('b\n');
  t.same(writes, [], 'nothing written yet');
  await eventually(() => writes.length > 0, 5000, 'the delayed write');
  t.same(writes, ['a\nb\n']);
});

t.test('a batch that would overflow leaves first; a line longer than a batch goes on its own', async (t) => {
  const { writes, sink } = recorder();
  const batcher = new LineBatcher(sink, { delayMs: 60_000, maxBytes: 11 });
  batcher.write('ab\n');
  t.same(writes, []);
  batcher.write('cd\n');
  t.same(writes, ['ab\n'], 'no room for the worst case of the next line: the batch leaves');
  batcher.write('a line longer than a batch\n');
  t.same(writes, ['ab\n', 'cd\n', 'a line longer than a batch\n']);
  batcher.flush();
});

t.test('non-ASCII lines arrive intact', async (t) => {
  const { writes, sink } = recorder();
  const batcher = new LineBatcher(sink, { delayMs: 60_000, maxBytes: 1024 });
  batcher.write('{"user":"张三 ü"}\n');
  batcher.write('{"path":"/é"}\n');
  batcher.flush();
  t.same(writes, ['{"user":"张三 ü"}\n{"path":"/é"}\n']);
});

t.test('flush writes what is waiting at once, and nothing when nothing is', async (t) => {
  const { writes, sink } = recorder();
  const batcher = new LineBatcher(sink, { delayMs: 60_000, maxBytes: 1024 });
  batcher.flush();
  batcher.write('a\n');
  batcher.flush();
  t.same(writes, ['a\n'], 'no timer left behind either: the test ends at once');
});
