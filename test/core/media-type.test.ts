import t from 'tap';
import { jsonMediaTypeProblem, parseMediaType } from '../../core/media-type.js';

const problem = (...values: string[]) => jsonMediaTypeProblem(
  values.length === 0 ? {} : { 'content-type': values[0] },
  values.flatMap((value) => ['Content-Type', value]),
);

t.test('media types parse case-insensitively, with optional whitespace around parameters', async (t) => {
  t.same(parseMediaType('APPLICATION/JSON'), { essence: 'application/json', parameters: new Map() });
  const spaced = parseMediaType('application/json ; charset=utf-8');
  t.equal(spaced?.essence, 'application/json');
  t.equal(spaced?.parameters.get('charset'), 'utf-8');
  t.equal(parseMediaType('application/json\t;\tCharSet="UTF-8";;')?.parameters.get('charset'), 'UTF-8', 'tabs, quoted values, empty parameters');
  t.equal(parseMediaType('text/plain; a="x\\"y"')?.parameters.get('a'), 'x"y', 'quoted-pair');
});

t.test('malformed media types do not parse', async (t) => {
  for (const text of ['', 'json', 'application/', '/json', 'application/json x', 'application/json; charset', 'application/json; =x',
    'application/json, text/plain', 'application/json;charset=utf-8,text/html', 'application/json; a="open', 'application /json',
    'application/json; charset=utf-8; charset=latin1']) {
    t.equal(parseMediaType(text), undefined, JSON.stringify(text));
  }
});

t.test('S18: JSON in any spelling is JSON, so it is validated', async (t) => {
  for (const value of ['application/json', 'APPLICATION/JSON', 'application/json ; charset=utf-8', 'Application/Json;Charset=UTF-8',
    'application/json\t; charset="utf-8"', 'application/json; foo=bar', 'application/vnd.linkis+json', 'application/json; charset=utf8']) {
    t.equal(problem(value), undefined, JSON.stringify(value));
  }
});

t.test('S18: unknown, ambiguous or non-UTF-8 types are refused when a schema is attached', async (t) => {
  t.match(problem(), /no Content-Type/);
  t.match(problem('text/plain'), /Content-Type text\/plain/);
  t.match(problem('application/x-www-form-urlencoded'), /x-www-form-urlencoded/);
  t.match(problem('application/json; charset=utf-16'), /charset utf-16/);
  t.match(problem('application/json; charset=utf-8; charset=latin1'), /malformed/);
  t.match(problem('application/json, text/plain'), /malformed/);
  t.match(problem('application/jsonx'), /Content-Type application\/jsonx/);
  t.match(problem('application/json', 'text/plain'), /more than one Content-Type/, 'two headers: Node keeps the first, a backend may keep the last');
});
