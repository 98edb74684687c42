/** The password strategy: login, the failed-login throttle, config-time checks. */
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { buildProblems } from '../../helpers/config.js';
import { login, passwordStrategy, securitySection } from '../../helpers/auth.js';

const USERS = [{ name: 'hadoop', password: 'hadoop-pw', admin: true }, { name: 'alice', password: 'alice-pw' }];
const BEHIND_PROXY = 'server: { host: 127.0.0.1, port: 0, trustedProxies: ["127.0.0.1"] }\n';

t.test('five failed logins for a user from one IP lock that pair out for the window, with Retry-After', async (t) => {
  const gw = await startGateway(t, BEHIND_PROXY + securitySection(await passwordStrategy(USERS)));
  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  for (let i = 0; i < 5; i++) t.equal((await login(gw, 'hadoop', 'wrong', from('10.0.0.1'))).answer.status, 401, `failure ${i + 1}`);
  const locked = await login(gw, 'hadoop', 'hadoop-pw', from('10.0.0.1'));
  t.equal(locked.answer.status, 429, 'even the right password waits');
  t.equal(locked.answer.json().data.code, 'LG_ERR_LOGIN_THROTTLED');
  const retryAfter = Number(locked.answer.headers['retry-after']);
  t.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  t.equal(locked.cookie, undefined);
  t.equal((await login(gw, 'hadoop', 'hadoop-pw', from('10.0.0.2'))).answer.status, 200, 'another IP is not locked out');
  t.equal((await login(gw, 'alice', 'alice-pw', from('10.0.0.1'))).answer.status, 200, 'another user is not locked out');
  await gw.writeConfig(BEHIND_PROXY + securitySection(await passwordStrategy(USERS)));
  t.equal((await gw.gateway.reload()).ok, true);
  t.equal((await login(gw, 'hadoop', 'hadoop-pw', from('10.0.0.1'))).answer.status, 429, 'a hot reload does not forget the lockout');
});

t.test('the limit and window are options', async (t) => {
  const gw = await startGateway(t, securitySection(await passwordStrategy(USERS, 'maxFailures: 1\n        failureWindow: 1m')));
  await login(gw, 'alice', 'wrong');
  t.equal((await login(gw, 'alice', 'alice-pw')).answer.status, 429);
});

t.test('bad password hashes and duplicate users are refused at their line', async (t) => {
  const bad = await buildProblems(securitySection('    - use: password\n      options:\n        users:\n          - { name: a, passwordHash: hunter2 }\n'));
  t.equal(bad[0]?.code, 'LG_ERR_CONFIG_PLUGIN_CREATE');
  t.equal(bad[0]?.pointer, '/security/auth/1/options/users/0/passwordHash');
  t.notMatch(bad[0]?.message, 'hunter2', 'the configured value is not repeated');
  const strategy = await passwordStrategy([{ name: 'a', password: 'x' }, { name: 'a', password: 'y' }]);
  const twice = await buildProblems(securitySection(strategy));
  t.match(twice[0]?.message, /listed twice/);
});
