import t from 'tap';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { bootstrapAdmin, BOOTSTRAP_ADMIN_FILE } from '../../core/bootstrap-admin.js';
import { DataDir } from '../../core/data-dir.js';
import { parseHash, verifyPassword } from '../../core/password-hash.js';
import { makeTempDir } from '../helpers/gateway.js';

t.test('the first-start admin gets a random password, printed once; only its hash is kept, mode 0600', async (t) => {
  const dir = await makeTempDir();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const dataDir = new DataDir(path.join(dir, 'data'));
  const printed: string[] = [];
  const first = await bootstrapAdmin(dataDir, (text) => printed.push(text));
  t.equal(printed.length, 1);
  const password = /\n {4}(\S+)\n/.exec(printed[0]!)![1]!;
  t.ok(password.length >= 24);
  t.same({ name: first.name, admin: first.admin }, { name: 'admin', admin: true });
  t.equal(await verifyPassword(password, parseHash(first.passwordHash)), true);
  const file = path.join(dir, 'data', BOOTSTRAP_ADMIN_FILE);
  t.equal((await stat(file)).mode & 0o777, 0o600);
  t.equal((await stat(path.join(dir, 'data'))).mode & 0o777, 0o700);
  const second = await bootstrapAdmin(dataDir, (text) => printed.push(text));
  t.equal(printed.length, 1, 'not printed again');
  t.equal(second.passwordHash, first.passwordHash);
});

t.test('kept files are created once and read back; an empty one is an error, not a new secret', async (t) => {
  const dir = await makeTempDir();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const dataDir = new DataDir(dir);
  t.same(dataDir.keep('s', () => 'one'), { value: 'one', created: true });
  t.same(dataDir.keep('s', () => 'two'), { value: 'one', created: false });
  dataDir.keep('empty', () => '');
  t.throws(() => dataDir.read('empty'), { code: 'LG_ERR_CONFIG_DATA_DIR' });
});
