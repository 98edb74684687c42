import t from 'tap';
import { parseCookies } from '../../core/cookies.js';

t.test('the first occurrence of a name wins and blanks around pairs are ignored', async (t) => {
  const jar = parseCookies(' a=1 ;b=2; a=3;;c = 4 ');
  t.same({ ...jar }, { a: '1', b: '2', c: '4' });
});

t.test('quoted and percent-encoded values are decoded; a broken escape is kept as sent', async (t) => {
  const jar = parseCookies('q="quoted value"; p=a%20b; bad=%E0%A4%A');
  t.equal(jar.q, 'quoted value');
  t.equal(jar.p, 'a b');
  t.equal(jar.bad, '%E0%A4%A');
});

t.test('pairs without a name or without "=" are skipped; base64 padding stays in the value', async (t) => {
  const jar = parseCookies('=orphan; flag; t=YWJj+/==; ');
  t.same(Object.keys(jar), ['t']);
  t.equal(jar.t, 'YWJj+/==');
});

t.test('repeated Cookie headers are read as one list', async (t) => {
  t.same({ ...parseCookies(['a=1', 'b=2; a=9']) }, { a: '1', b: '2' });
});

t.test('names of Object.prototype members are plain cookies, and absent ones read undefined', async (t) => {
  const empty = parseCookies(undefined);
  t.equal(empty.constructor, undefined);
  t.equal(empty.toString, undefined);
  t.equal(empty.__proto__, undefined);
  const jar = parseCookies('__proto__=x; constructor=y; toString=z');
  t.same(Object.keys(jar), ['__proto__', 'constructor', 'toString']);
  t.equal(jar.constructor, 'y');
  t.equal(jar.__proto__, 'x');
  t.equal(Object.getPrototypeOf(Object.getPrototypeOf(jar)), null, 'no Object.prototype behind the jar');
});
