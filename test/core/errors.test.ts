import t from 'tap';
import { readFile } from 'node:fs/promises';
import { ERRORS, GatewayError, WARNINGS, type ErrorCode } from '../../core/errors.js';
import { errorResponse } from '../../core/envelope.js';
import { repoPath } from '../helpers/paths.js';

async function readmeTable(): Promise<Map<string, { linkis: string; http: string; status: string }>> {
  const readme = await readFile(repoPath('README.md'), 'utf8');
  const rows = new Map<string, { linkis: string; http: string; status: string }>();
  for (const line of readme.split('\n')) {
    const match = /^\| `(LG_ERR_[A-Z_]+)` \| *(\d*) *\| *(\d+) *\| *([−-]?\d) *\|/.exec(line);
    if (match) rows.set(match[1]!, { linkis: match[2]!, http: match[3]!, status: match[4]!.replace('−', '-') });
  }
  return rows;
}

t.test('the README error table lists every code of the registry, with its Linkis code, HTTP status and envelope status', async (t) => {
  const table = await readmeTable();
  t.same([...table.keys()].sort(), Object.keys(ERRORS).sort(), 'same codes');
  for (const [code, definition] of Object.entries(ERRORS)) {
    const row = table.get(code);
    if (!row) continue;
    t.equal(row.http, String(definition.httpStatus), `${code} HTTP`);
    t.equal(row.linkis, 'linkisCode' in definition ? String(definition.linkisCode) : '', `${code} Linkis code`);
    t.equal(row.status, String(definition.envelopeStatus), `${code} envelope status`);
  }
});

t.test('the README warning table lists every warning code of the registry', async (t) => {
  const readme = await readFile(repoPath('README.md'), 'utf8');
  const rows = readme.split('\n').flatMap((line) => /^\| `(LG_WARN_[A-Z_]+)` \|/.exec(line)?.[1] ?? []);
  t.same(rows.sort(), Object.keys(WARNINGS).sort());
  for (const code of Object.keys(WARNINGS)) t.match(code, /^LG_WARN_[A-Z]+_[A-Z_]+$/);
});

t.test('codes follow LG_ERR_<AREA>_<WHAT> and Linkis codes are unique', async (t) => {
  const linkis = new Set<number>();
  for (const [code, definition] of Object.entries(ERRORS)) {
    t.match(code, /^LG_ERR_[A-Z]+_[A-Z_]+$|^LG_ERR_INTERNAL$/);
    if ('linkisCode' in definition) {
      t.notOk(linkis.has(definition.linkisCode), `${definition.linkisCode} used once`);
      linkis.add(definition.linkisCode);
    }
  }
});

t.test('errors render their parameters and keep the Linkis code in the message', async (t) => {
  const error = new GatewayError('LG_ERR_ROUTE_NO_APPLICATION', { application: 'nosuchsvc' });
  t.equal(error.message, 'errCode: 10050 ,desc: Application nosuchsvc does not exist any instances(应用程序 nosuchsvc 不存在任何实例)');
  t.equal(error.httpStatus, 404);
  const { httpStatus, body } = errorResponse('/x', error);
  t.equal(httpStatus, 404);
  t.same(Object.keys(body), ['method', 'status', 'message', 'data'], 'envelope field order');
  t.same(body.data, { code: 'LG_ERR_ROUTE_NO_APPLICATION', errCode: 10050 });
});

t.test('routing errors answer 200 in Linkis compatibility mode; others keep their status', async (t) => {
  const routing: ErrorCode[] = ['LG_ERR_ROUTE_NO_APPLICATION', 'LG_ERR_PARSE_UNSUPPORTED_VERSION', 'LG_ERR_ROUTE_NO_LABELLED_INSTANCE'];
  for (const code of routing) t.equal(errorResponse(null, new GatewayError(code), true).httpStatus, 200, code);
  t.equal(errorResponse(null, new GatewayError('LG_ERR_AUTH_REQUIRED'), true).httpStatus, 401);
  t.equal(errorResponse(null, new GatewayError('LG_ERR_PATH_TRAVERSAL'), true).httpStatus, 400);
});

t.test('anything that is not a GatewayError becomes LG_ERR_INTERNAL without leaking its message', async (t) => {
  const { httpStatus, body } = errorResponse('/x', new Error('secret detail at /etc/passwd'));
  t.equal(httpStatus, 500);
  t.equal(body.data.code, 'LG_ERR_INTERNAL');
  t.notMatch(body.message, /secret/);
});
