import t from 'tap';
import { spawnSync } from 'node:child_process';
import { CLI } from '../helpers/paths.js';
import { parseHash, verifyPassword } from '../../core/password-hash.js';

t.test('labelgate hash-password reads stdin and prints a hash of it', async (t) => {
  const run = spawnSync(process.execPath, [CLI, 'hash-password'], { input: 'correct horse\n', encoding: 'utf8' });
  t.equal(run.status, 0, run.stderr);
  const line = run.stdout.trim();
  t.match(line, /^\$scrypt\$ln=15,r=8,p=3\$/);
  t.equal(await verifyPassword('correct horse', parseHash(line)), true, 'one trailing newline is not part of the password');
  t.notMatch(run.stdout + run.stderr, 'correct horse');
});

t.test('labelgate hash-password refuses an empty password', async (t) => {
  const run = spawnSync(process.execPath, [CLI, 'hash-password'], { input: '', encoding: 'utf8' });
  t.equal(run.status, 2);
  t.equal(run.stdout, '');
});
