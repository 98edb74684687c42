import t from 'tap';
import { spawnSync } from 'node:child_process';
import { repoPath } from '../helpers/paths.js';

t.test('the package root exports the gateway, the error registry and the plugin helpers', async (t) => {
  // Resolved by package name, through package.json "exports", as a user's code would.
  const script = "import('labelgate').then((m) => console.log(JSON.stringify([typeof m.Gateway.start, typeof m.defineParser, Object.keys(m.ERRORS).length > 10, typeof m.GatewayError])))";
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoPath(), encoding: 'utf8' });
  t.equal(result.status, 0, result.stderr);
  t.same(JSON.parse(result.stdout), ['function', 'function', true, 'function']);
});
