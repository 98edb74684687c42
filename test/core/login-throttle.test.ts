import t from 'tap';
import { LoginThrottle } from '../../core/login-throttle.js';

t.test('after the limit of failures a key waits until its window ends; a success clears it', async (t) => {
  const clock = { now: 0 };
  const throttle = new LoginThrottle(100, () => clock.now);
  for (let i = 0; i < 4; i++) throttle.fail('k', 60_000);
  t.equal(throttle.retryAfter('k', 5, 60_000), 0, 'four failures: still allowed');
  throttle.fail('k', 60_000);
  t.equal(throttle.retryAfter('k', 5, 60_000), 60);
  clock.now = 59_001;
  t.equal(throttle.retryAfter('k', 5, 60_000), 1);
  t.equal(throttle.retryAfter('other', 5, 60_000), 0, 'keys are independent');
  clock.now = 60_000;
  t.equal(throttle.retryAfter('k', 5, 60_000), 0, 'the window ended');
  throttle.fail('k', 60_000);
  throttle.succeed('k');
  t.equal(throttle.retryAfter('k', 1, 60_000), 0);
});

t.test('memory stays bounded: a full table forgets the key touched longest ago', async (t) => {
  const clock = { now: 0 };
  const throttle = new LoginThrottle(3, () => clock.now);
  for (const key of ['a', 'b', 'c']) for (let i = 0; i < 5; i++) throttle.fail(key, 60_000);
  throttle.fail('d', 60_000);
  t.equal(throttle.retryAfter('a', 5, 60_000), 0, 'the oldest went');
  t.equal(throttle.retryAfter('b', 5, 60_000), 60);
});

t.test('a flood of made-up users never grows the table past its bound', async (t) => {
  const throttle = new LoginThrottle(1000);
  for (let i = 0; i < 50_000; i++) throttle.fail(`password\u0000user-${i}\u0000203.0.113.7`, 60_000);
  t.equal(throttle.size, 1000);
  for (let i = 0; i < 5; i++) throttle.fail('password\u0000alice\u0000203.0.113.7', 60_000);
  t.equal(throttle.retryAfter('password\u0000alice\u0000203.0.113.7', 5, 60_000), 60, 'the throttle still works for the latest keys');
});
