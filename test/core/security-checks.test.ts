import t from 'tap';
import { buildProblems } from '../helpers/config.js';
import { isLoopbackHost } from '../../core/security-checks.js';
import { parseConfigText } from '../../core/config-loader.js';
import { ConfigError } from '../../core/config-errors.js';

t.test('the session secret is "auto" or at least 32 characters; an explicitly empty or short one is refused', async (t) => {
  for (const secret of ['""', 'short', 'x'.repeat(31)]) {
    const [problem] = await buildProblems(`security: { session: { secret: ${secret} } }\n`);
    t.equal(problem?.code, 'LG_ERR_CONFIG_SESSION_SECRET', secret);
    t.equal(problem?.pointer, '/security/session/secret');
    t.equal(problem?.line, 4, 'at its line (after the two test listener lines and labels)');
    t.notMatch(problem?.message, 'short', 'the secret is not repeated');
  }
  t.same(await buildProblems(`security: { session: { secret: ${'x'.repeat(32)} } }\n`), []);
  t.same(await buildProblems('security: { session: { secret: auto } }\n'), []);
  t.same(await buildProblems('security: { session: { secret: "${LABELGATE_SESSION_SECRET:-auto}" } }\n'), [], 'the shipped form');
  t.throws(() => parseConfigText('security: { session: { secret: "${LABELGATE_SESSION_SECRET}" } }\n', '/c.yaml', {}), ConfigError, 'a required variable that is unset');
});

t.test('gateways sharing sessions through etcd need one explicit secret, not "auto"', async (t) => {
  const etcd = 'registry: { store: etcd }\n';
  const [problem] = await buildProblems(`${etcd}security: { session: { secret: auto } }\n`);
  t.equal(problem?.code, 'LG_ERR_CONFIG_SESSION_SECRET_SHARED');
  t.equal(problem?.pointer, '/security/session/secret');
  t.equal((await buildProblems(etcd))[0]?.code, 'LG_ERR_CONFIG_SESSION_SECRET_SHARED', 'auto is the default');
  t.same(await buildProblems(`${etcd}security: { session: { secret: ${'x'.repeat(32)} } }\n`), []);
});

t.test('loopback means 127.0.0.0/8, ::1 and localhost, nothing else', async (t) => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) t.equal(isLoopbackHost(host), true, host);
  for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com', '127.0.0.1.example.com']) t.equal(isLoopbackHost(host), false, host);
});

t.test('a referer check with nothing allowed is a config error', async (t) => {
  const [problem] = await buildProblems('security: { referer: { enabled: true } }\n');
  t.equal(problem?.pointer, '/security/referer/allow');
});
