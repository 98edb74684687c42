/** The per-host breaker that replaces etcd3's: skip a host after 3 transport failures in a row, try it again after 1 s. */
import t from 'tap';
import { GRPCUnavailableError, EtcdLeaseInvalidError } from 'etcd3';
import { hostBreaker, HostSkippedError } from '../../../core/etcd/fault-policy.js';

function breaker() {
  const clock = { now: 0 };
  return { clock, policy: hostBreaker('m1:2379', () => clock.now) };
}

const fail = (error: Error) => () => Promise.reject(error);
/** What a call rejected with. */
const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

t.test('three transport failures in a row skip the host for a second', async (t) => {
  const { clock, policy } = breaker();
  for (let i = 0; i < 3; i++) t.ok((await rejection(policy.execute(fail(new GRPCUnavailableError('down'))))) instanceof GRPCUnavailableError);
  let called = false;
  t.ok((await rejection(policy.execute(() => { called = true; return 1; }))) instanceof HostSkippedError);
  t.notOk(called, 'the call never reached the host');
  clock.now += 1001;
  t.equal(await policy.execute(() => 'back'), 'back', 'tried again after a second; a success closes it');
  t.ok((await rejection(policy.execute(fail(new GRPCUnavailableError('down'))))) instanceof GRPCUnavailableError);
  t.equal(await policy.execute(() => 'still'), 'still', 'one failure after a success does not skip');
});

t.test('answers from etcd (a lease it does not know) are not host failures', async (t) => {
  const { policy } = breaker();
  for (let i = 0; i < 5; i++) t.ok((await rejection(policy.execute(fail(new EtcdLeaseInvalidError('requested lease not found'))))) instanceof EtcdLeaseInvalidError);
  t.equal(await policy.execute(() => 'ok'), 'ok');
});
