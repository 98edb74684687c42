import t from 'tap';
import fc from 'fast-check';
import { normalisePath, normaliseTarget } from '../../core/path.js';
import { GatewayError } from '../../core/errors.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof GatewayError ? error.code : 'not a GatewayError';
  }
}

t.test('normal paths are returned unchanged', async (t) => {
  for (const path of ['/', '/api/rest_j/v1/jobhistory/list', '/a/b/', '/a-b_c.d~e/%20x', '/a/.../b']) {
    t.equal(normalisePath(path), path, path);
  }
});

t.test('dot segments that stay inside the path are resolved', async (t) => {
  t.equal(normalisePath('/a/./b'), '/a/b');
  t.equal(normalisePath('/a/b/../c'), '/a/c');
  t.equal(normalisePath('/a/b/..'), '/a/');
  t.equal(normalisePath('/a/.'), '/a/');
  t.equal(normalisePath('/public/../admin'), '/admin', 'S8: the normalised path is what is matched and forwarded');
});

t.test('a .. that climbs above the root is refused', async (t) => {
  t.equal(codeOf(() => normalisePath('/..')), 'LG_ERR_PATH_TRAVERSAL');
  t.equal(codeOf(() => normalisePath('/a/../../b')), 'LG_ERR_PATH_TRAVERSAL');
});

t.test('double slashes are merged (S10)', async (t) => {
  t.equal(normalisePath('//internal/x'), '/internal/x');
  t.equal(normalisePath('/internal//x'), '/internal/x');
  t.equal(normalisePath('//evil.example/x'), '/evil.example/x', 'S20: //host stays a path');
});

t.test('encoded separators are refused (S9, S11, S15)', async (t) => {
  for (const path of ['/public%2F..%2Fadmin', '/public%2f..%2fadmin', '/public%5C..%5Cadmin', '/pub/..%2fpriv', '/pub/..%5Cpriv']) {
    t.equal(codeOf(() => normalisePath(path)), 'LG_ERR_PATH_ENCODED_SEPARATOR', path);
  }
});

t.test('encoded dot segments are refused (S11)', async (t) => {
  for (const path of ['/pub/%2e%2e/priv', '/pub/%2E./priv', '/pub/.%2e', '/pub/%2e/x']) {
    t.equal(codeOf(() => normalisePath(path)), 'LG_ERR_PATH_ENCODED_DOT_SEGMENT', path);
  }
  t.equal(normalisePath('/a%2ejson'), '/a.json', 'an encoded dot inside a name is just a dot');
});

t.test('backslashes, NUL and control characters are refused (S15)', async (t) => {
  for (const path of ['/pub/..\\priv', '/a\\b', '/a%00b', '/a\u0000b', '/a\rb', '/a\nb']) {
    t.equal(codeOf(() => normalisePath(path)), 'LG_ERR_PATH_FORBIDDEN_CHARACTER', JSON.stringify(path));
  }
});

t.test('unreserved escapes are decoded and others upper-cased (S12)', async (t) => {
  t.equal(normalisePath('/%61pi/internal'), '/api/internal');
  t.equal(normalisePath('/a%3fb'), '/a%3Fb', 'an encoded ? stays encoded, upper-cased');
  t.equal(normalisePath('/caf\u00e9'), '/caf%E9', 'bytes outside ASCII are percent-encoded');
});

t.test('bad percent-encodings are refused', async (t) => {
  t.equal(codeOf(() => normalisePath('/a%zz')), 'LG_ERR_PATH_BAD_ENCODING');
  t.equal(codeOf(() => normalisePath('/a%4')), 'LG_ERR_PATH_BAD_ENCODING');
});

t.test('absolute-form and asterisk targets are refused (S20)', async (t) => {
  t.equal(codeOf(() => normaliseTarget('http://evil.example/')), 'LG_ERR_PATH_ABSOLUTE_FORM');
  t.equal(codeOf(() => normaliseTarget('*')), 'LG_ERR_PATH_ABSOLUTE_FORM');
});

t.test('the query is kept apart and forwarded as sent', async (t) => {
  t.same(normaliseTarget('/a/../b?x=%2F..&y=1'), { path: '/b', query: 'x=%2F..&y=1' });
  t.same(normaliseTarget('/a'), { path: '/a', query: '' });
  t.equal(codeOf(() => normaliseTarget('/a?x=\u0001')), 'LG_ERR_PATH_FORBIDDEN_CHARACTER');
});

const pathChars = fc.constantFrom('a', 'b', '/', '.', '%', '2', 'e', 'F', '5', 'c', '~', '-', '\\', '0', ' ', '\u00e9', '?');

t.test('normalisation is idempotent: normalise(normalise(p)) = normalise(p)', async (t) => {
  fc.assert(fc.property(fc.array(pathChars, { maxLength: 40 }).map((chars) => '/' + chars.join('').replace(/\?/g, '')), (path) => {
    let once: string;
    try {
      once = normalisePath(path);
    } catch (error) {
      return error instanceof GatewayError;
    }
    return normalisePath(once) === once;
  }), { numRuns: 5000 });
  t.pass('property held for 5000 random paths');
});

t.test('a normalised path never contains what the normaliser refuses', async (t) => {
  fc.assert(fc.property(fc.array(pathChars, { maxLength: 40 }).map((chars) => '/' + chars.join('').replace(/\?/g, '')), (path) => {
    let out: string;
    try {
      out = normalisePath(path);
    } catch {
      return true;
    }
    return !/\/\/|\\|%2F|%5C|%00|(^|\/)\.\.?(\/|$)|[\u0000-\u0020\u007f-\uffff]/i.test(out);
  }), { numRuns: 5000 });
  t.pass('no //, backslash, encoded separator, dot segment or raw control character survives');
});
