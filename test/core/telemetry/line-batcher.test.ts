import t from 'tap';
import { setImmediate as turn } from 'node:timers/promises';
import { LineBatcher } from '../../../core/telemetry/line-batcher.js';

t.test('lines of one event-loop turn reach the destination in one write, in order', async (t) => {
  const writes: string[] = [];
  const batcher = new LineBatcher({ write: (text) => writes.push(text) });
  batcher.write('a\n');
  batcher.write('b\n');
  t.same(writes, [], 'nothing written within the turn');
  await turn();
  t.same(writes, ['a\nb\n']);
  batcher.write('c\n');
  await turn();
  t.same(writes, ['a\nb\n', 'c\n']);
});

t.test('flush writes what is pending at once, and nothing when nothing is', async (t) => {
  const writes: string[] = [];
  const batcher = new LineBatcher({ write: (text) => writes.push(text) });
  batcher.flush();
  batcher.write('a\n');
  batcher.flush();
  t.same(writes, ['a\n']);
  await turn();
  t.same(writes, ['a\n'], 'the scheduled flush finds nothing left');
});
