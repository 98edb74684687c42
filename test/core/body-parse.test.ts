import t from 'tap';
import { parseBody } from '../../core/body-parse.js';
import { compileBodySchema, compileSchemaSource } from '../../core/body-schema.js';

const schema = compileBodySchema({
  type: 'object',
  required: ['executionContent', 'labels'],
  additionalProperties: false,
  properties: {
    executionContent: { type: 'object', required: ['code'], properties: { code: { type: 'string', maxLength: 100 } } },
    labels: { type: 'object', properties: { route: { type: 'string', pattern: '^[a-z0-9-]+$' } } },
    params: { type: 'object' },
  },
});
const parse = (text: string, withSchema = true) => parseBody(Buffer.from(text), withSchema ? schema : undefined);

t.test('a body returns only its string labels as routing facts', async (t) => {
  t.same(parse('{"labels":{"route":"et1","n":3},"x":[1]}', false), { ok: true, facts: { labels: { route: 'et1' } } });
  t.same(parse('[1,2]', false), { ok: true, facts: {} });
  t.same(parse('', false), { ok: true, facts: {} }, 'an empty body without a schema has no facts');
  t.same(parse('{"executionContent":{"code":"show tables"},"labels":{"route":"et1"}}'), { ok: true, facts: { labels: { route: 'et1' } } });
});

t.test('a schema failure names the JSON pointer of what failed', async (t) => {
  t.same(parse('{"executionContent":{},"labels":{}}'), { ok: false, code: 'LG_ERR_BODY_SCHEMA', params: { pointer: '/executionContent/code', reason: 'is required' } });
  t.same(parse('{"executionContent":{"code":"x"},"labels":{},"role":"admin"}'), { ok: false, code: 'LG_ERR_BODY_SCHEMA', params: { pointer: '/role', reason: 'is not allowed' } });
  t.match(parse('{"executionContent":{"code":"x"},"labels":{"route":"Bad Route"}}'), { ok: false, code: 'LG_ERR_BODY_SCHEMA', params: { pointer: '/labels/route', reason: /pattern/ } });
  t.match(parse('[]'), { ok: false, code: 'LG_ERR_BODY_SCHEMA', params: { pointer: '', reason: /object/ } });
  t.match(parse(''), { ok: false, code: 'LG_ERR_BODY_MALFORMED_JSON', params: { position: 0, reason: /empty/ } }, 'with a schema an empty body is not JSON');
});

t.test('S19: with a schema, duplicate keys anywhere are refused before validation', async (t) => {
  t.same(parse('{"executionContent":{"code":"x","code":"y"},"labels":{}}'), { ok: false, code: 'LG_ERR_BODY_DUPLICATE_KEY', params: { pointer: '/executionContent/code', position: 32 } });
  t.match(parse('{"executionContent":{"code":"x"},"labels":{},"labels":{}}', false), { ok: false, code: 'LG_ERR_BODY_DUPLICATE_KEY' });
});

t.test('malformed bodies are refused with a position, invalid UTF-8 included', async (t) => {
  t.same(parse('{"labels":{"route":"a"}', false), { ok: false, code: 'LG_ERR_BODY_MALFORMED_JSON', params: { position: 23, line: 1, column: 24, reason: "unexpected end of the body" } });
  t.match(parseBody(Buffer.from([0x7b, 0x22, 0x61, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), undefined), { ok: false, code: 'LG_ERR_BODY_MALFORMED_JSON', params: { position: 3, reason: /UTF-8/ } });
});

t.test('a schema compiled from its source in a worker behaves as the original', async (t) => {
  const copy = compileSchemaSource({ key: schema.key, source: schema.source });
  t.equal(copy.key, schema.key);
  for (const text of ['{"executionContent":{},"labels":{}}', '{"executionContent":{"code":"x"},"labels":{"route":"a"}}']) {
    t.same(parseBody(Buffer.from(text), copy), parse(text));
  }
  t.not(compileBodySchema({ type: 'object', maxProperties: 3 }).key, schema.key, 'keys are content hashes');
});

t.test('schemas with typos or asynchronous keywords do not compile', async (t) => {
  t.throws(() => compileBodySchema({ type: 'object', requried: ['x'] }), /unknown keyword/);
  t.throws(() => compileBodySchema({ $async: true, type: 'object' }), /asynchronous/);
  t.doesNotThrow(() => compileBodySchema({ type: 'string', format: 'date-time' }), 'standard formats are known');
});
