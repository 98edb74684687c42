import t from 'tap';
import { locateJsonError, locateUtf8Error } from '../../core/json-syntax.js';

const locate = (text: string) => locateJsonError(Buffer.from(text));

t.test('well-formed JSON has no error, whatever JSON.parse accepts', async (t) => {
  for (const text of ['{}', '[]', ' {"a":[1,-2.5e+3,true,false,null,"\\u00e9\\n"]} ', '0', '"x"', '[[[[]]]]', '{"a":{"b":{}}}']) {
    t.equal(locate(text), undefined, text);
    t.doesNotThrow(() => JSON.parse(text));
  }
});

t.test('the first error is named by byte offset, line and column', async (t) => {
  t.match(locate('{"a":1,}'), { position: 7, line: 1, column: 8, reason: /property name/ });
  t.match(locate('{\n  "a": 1\n  "b": 2\n}'), { position: 13, line: 3, column: 3, reason: /expected ',' or '}'/ });
  t.match(locate('[1,]'), { position: 3, reason: /unexpected '\]'/ });
  t.match(locate('{"a" 1}'), { position: 5, reason: /expected ':'/ });
  t.match(locate('{"a":01}'), { position: 6, reason: /expected ','/ });
  t.match(locate('{"a":1.}'), { position: 7, reason: /decimal point/ });
  t.match(locate('{"a":tru}'), { position: 8 });
  t.match(locate('{"a":"x\ty"}'), { position: 7, reason: /must be escaped/ });
  t.match(locate('{"a":"\\x"}'), { position: 7, reason: /invalid escape/ });
  t.match(locate('{"a":"\\u12G4"}'), { position: 10, reason: /\\u escape/ });
  t.match(locate('{"a":"open'), { position: 10, reason: /unterminated string/ });
  t.match(locate('{"a":1'), { position: 6, reason: /unexpected end/ });
  t.match(locate('{"a":1}}'), { position: 7, reason: /after the JSON value/ });
  t.match(locate('[1}'), { position: 2, reason: /expected ',' or '\]'/ });
  t.match(locate(''), { position: 0, reason: /empty/ });
  t.match(locate('\ufeff{}'), { position: 0 }, 'a byte order mark is not JSON');
  for (const text of ['{"a":1,}', '[1,]', '{"a":01}', '{"a":"x\ty"}', '{"a":1}}']) t.throws(() => JSON.parse(text), `JSON.parse agrees about ${text}`);
});

t.test('invalid UTF-8 is located at the offending byte', async (t) => {
  t.equal(locateUtf8Error(Buffer.from('{"a":"é€😀"}')), undefined);
  t.match(locateUtf8Error(Buffer.from([0x7b, 0x22, 0xff, 0x22])), { position: 2 });
  t.match(locateUtf8Error(Buffer.from([0x22, 0xc3])), { position: 2 }, 'truncated sequence');
  t.match(locateUtf8Error(Buffer.from([0x22, 0xc0, 0xaf])), { position: 1 }, 'overlong encoding');
  t.match(locateUtf8Error(Buffer.from([0x22, 0xed, 0xa0, 0x80])), { position: 2 }, 'UTF-16 surrogate');
});
