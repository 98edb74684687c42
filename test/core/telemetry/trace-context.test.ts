import t from 'tap';
import { newTrace, parseTraceparent } from '../../../core/telemetry/trace-context.js';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

t.test('a valid traceparent is kept unchanged, with its tracestate', async (t) => {
  t.same(parseTraceparent(VALID, 'congo=t61rcWkgMzE'), {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', traceparent: VALID, tracestate: 'congo=t61rcWkgMzE',
  });
  t.equal(parseTraceparent(VALID, undefined)?.tracestate, undefined);
});

t.test('invalid traceparents are rejected (the trace restarts)', async (t) => {
  const invalid = [
    undefined, '', 'garbage', VALID.toUpperCase(), `${VALID}-extra`, `ff${VALID.slice(2)}`,
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
    '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01', `${VALID}, ${VALID}`,
  ];
  for (const header of invalid) t.equal(parseTraceparent(header, 'a=b'), undefined, JSON.stringify(header));
});

t.test('a later version is read by its first four fields and sent on as version 00', async (t) => {
  const parsed = parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future', undefined);
  t.equal(parsed?.traceparent, VALID);
});

t.test('an oversized or control-character tracestate is dropped, the traceparent kept', async (t) => {
  t.equal(parseTraceparent(VALID, 'a='.padEnd(513, 'x'))?.tracestate, undefined);
  t.equal(parseTraceparent(VALID, 'a=b\u0001')?.tracestate, undefined);
  t.equal(parseTraceparent(VALID, 'a=b\u0001')?.traceparent, VALID);
});

t.test('a new trace is sampled, random and valid', async (t) => {
  const trace = newTrace();
  t.match(trace.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  t.same(parseTraceparent(trace.traceparent, undefined), trace);
  t.not(newTrace().traceId, trace.traceId);
});
