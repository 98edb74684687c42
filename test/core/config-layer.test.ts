/** A pushed gateway.yaml laid over the local file: which sections come from where, and where problems point. */
import t from 'tap';
import { ConfigError } from '../../core/config-errors.js';
import { layerOver, localSectionsIn, sharedConfigLayer } from '../../core/config-layer.js';
import { parseConfigText } from '../../core/config-loader.js';

const LOCAL = `server: { host: 127.0.0.1, port: 9101 }
admin: { port: 9102 }
registry: { store: etcd, etcd: { prefix: /a/ } }
log: { level: warn }
compat: { routingErrorsAsHttp200: true }
`;

const PUSHED = `server: { port: 1 }
registry: { store: memory }
body: { maxBytes: 1KiB }
`;

const local = () => parseConfigText(LOCAL, '/etc/labelgate/gateway.yaml', {});

t.test('a gateway keeps server, admin, registry, log from its own file; the pushed document supplies the rest', async (t) => {
  const merged = sharedConfigLayer(PUSHED, 'etcd:/a/config/gateway.yaml@7')(local(), {});
  t.equal(merged.config.server.port, 9101);
  t.equal(merged.config.admin.port, 9102);
  t.equal(merged.config.registry.store, 'etcd');
  t.equal(merged.config.log.level, 'warn');
  t.equal(merged.config.body.maxBytes, 1024, 'shared section from the pushed document');
  t.equal(merged.config.compat.routingErrorsAsHttp200, false, 'a shared section the push leaves out takes its default, not the local value');
  t.equal(merged.file, '/etc/labelgate/gateway.yaml', 'the local file is still the one watched');
  t.equal(merged.dir, '/etc/labelgate', 'relative paths resolve against the local file');
});

t.test('the hash changes with either document', async (t) => {
  const one = layerOver(local(), parseConfigText(PUSHED, 'p', {}));
  const two = layerOver(local(), parseConfigText(`${PUSHED}websocket: { prefix: /w/ }\n`, 'p', {}));
  t.not(one.hash, two.hash);
  t.equal(one.hash, layerOver(local(), parseConfigText(PUSHED, 'p', {})).hash);
});

t.test('problems point into the document they come from', async (t) => {
  const merged = layerOver(local(), parseConfigText(PUSHED, 'etcd:/a/config/gateway.yaml@7', {}));
  t.same(merged.locate('/body/maxBytes'), { line: 3, column: 9, file: 'etcd:/a/config/gateway.yaml@7', source: 'body: { maxBytes: 1KiB }' });
  t.same(merged.locate('/admin/port'), { line: 2, column: 10, source: 'admin: { port: 9102 }' }, 'a local section: the local file (ProblemList names it)');
  const bad = sharedConfigLayer('body: { maxBytes: lots }\n', 'etcd:/a/config/gateway.yaml@8');
  const error = (() => {
    try {
      bad(local(), {});
    } catch (thrown) {
      return thrown;
    }
    return undefined;
  })();
  t.ok(error instanceof ConfigError);
  t.match((error as ConfigError).problems[0], { file: 'etcd:/a/config/gateway.yaml@8', line: 1, code: 'LG_ERR_CONFIG_SCHEMA', source: 'body: { maxBytes: lots }' });
});

t.test('${VAR} in a pushed document is read from each gateway\'s environment', async (t) => {
  const layer = sharedConfigLayer('security: { session: { secret: "${SECRET}" } }\n', 'pushed');
  t.equal(layer(local(), { SECRET: 's'.repeat(40) }).config.security.session.secret, 's'.repeat(40));
  t.throws(() => layer(local(), {}), { code: 'LG_ERR_CONFIG_ENV_MISSING' });
});

t.test('config push names the local sections a pushed document carries', async (t) => {
  t.same(localSectionsIn(PUSHED), ['server', 'registry']);
  t.same(localSectionsIn('body: {}\n'), []);
});
