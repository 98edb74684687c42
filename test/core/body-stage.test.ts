/** Request bodies end to end: routing by a label inside them, bodySchema, S18 and S19, reloads. */
import t, { type Test } from 'tap';
import { entranceYaml, sha1, startEntranceGateway, submitBody, JSON_TYPE, type EntranceGateway } from '../helpers/bodies.js';

/** Bodies from 1 KiB up go to a worker, so the padded variants below are parsed off the loop. */
const WORKERS = '{ workers: 1, workerThreshold: 1KiB }';
const PAD = 'p'.repeat(2048);

const SUBMIT_SCHEMA = {
  type: 'object',
  required: ['executionContent'],
  properties: {
    executionContent: { type: 'object', required: ['code'], properties: { code: { type: 'string' } } },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    pad: { type: 'string' },
  },
};

/** Sends `text` twice, as is (inline) and with padding that sends it to a worker; both answers must agree. */
async function bothWays(t: Test, entrance: EntranceGateway, text: string, headers: Record<string, string | string[]> = JSON_TYPE) {
  const { pool } = entrance.gw.gateway.pipeline.body;
  const before = { ...pool.counts };
  const inline = await entrance.submit(text, headers);
  const padded = await entrance.submit(text.replace(/^\{/, `{"pad":"${PAD}",`), headers);
  t.equal(padded.status, inline.status, `same status (${inline.status}) inline and in a worker`);
  t.equal(padded.json().data?.code, inline.json().data?.code, 'same code inline and in a worker');
  return { inline, padded, parsed: { inline: pool.counts.inline - before.inline, worker: pool.counts.worker - before.worker } };
}

const ONE_EACH = { inline: 1, worker: 1 };

t.test('a submit is routed by the route label inside a 5 MB body and forwarded byte for byte', async (t) => {
  const { gw, tagged, plain, submit } = await startEntranceGateway(t, '{ workers: 2 }');
  const big = submitBody(5 * 1024 * 1024);
  const answer = await submit(big);
  t.equal(answer.json().upstream, 'tagged');
  t.equal(tagged.received.at(-1)!.bodySha1, sha1(big));
  t.equal(tagged.received.at(-1)!.headers['content-length'], String(Buffer.byteLength(big)));
  t.equal(tagged.received.at(-1)!.headers['transfer-encoding'], undefined);
  t.equal((await submit(submitBody(5 * 1024 * 1024, {}))).json().upstream, 'plain', 'no label: an unlabelled instance');
  t.equal(plain.received.length, 1);
  t.equal(gw.gateway.pipeline.body.pool.counts.worker, 2, 'both were parsed in a worker');
});

t.test('a malformed body is a 400 naming the position, inline and in a worker', async (t) => {
  const entrance = await startEntranceGateway(t, WORKERS);
  const { inline, padded, parsed } = await bothWays(t, entrance, '{"labels":{"route":"et1",}}');
  t.same(parsed, ONE_EACH);
  t.equal(inline.status, 400);
  t.match(inline.json(), { status: 1, data: { code: 'LG_ERR_BODY_MALFORMED_JSON', position: 25, line: 1, column: 26 } });
  t.match(inline.json().message, /not valid JSON at byte 25 \(line 1, column 26\)/);
  t.equal(padded.json().data.position, 25 + PAD.length + 9);
  t.equal(entrance.tagged.received.length + entrance.plain.received.length, 0, 'nothing was forwarded');
  const oddType = await entrance.submit('{"labels":{"route":"et1"}}', { 'content-type': 'text/plain, application/json' });
  t.equal(oddType.json().upstream, 'tagged', 'without a schema the Content-Type is the backend\'s business, not Fastify\'s');
});

t.test('S19: a duplicate route label is a 400 before anything is forwarded, inline and in a worker', async (t) => {
  const entrance = await startEntranceGateway(t, WORKERS);
  for (const text of ['{"labels":{"route":"plain","route":"et1"}}', '{"labels":{"route":"x","r\\u006fute":"et1"}}', '{"labels":{"route":"et1"},"labels":{}}']) {
    const { inline, parsed } = await bothWays(t, entrance, text);
    t.same(parsed, ONE_EACH);
    t.equal(inline.status, 400, text);
    t.equal(inline.json().data.code, 'LG_ERR_BODY_DUPLICATE_KEY');
  }
  const nested = await entrance.submit('{"params":{"labels":{"route":"a","route":"b"}},"labels":{"route":"et1"}}');
  t.equal(nested.json().upstream, 'tagged', 'duplicates that routing does not read are the backend\'s business');
  t.equal(entrance.plain.received.length, 0);
  t.equal(entrance.tagged.received.length, 1);
});

t.test('a bodySchema failure is a 400 naming the JSON pointer, inline and in a worker', async (t) => {
  const entrance = await startEntranceGateway(t, WORKERS, SUBMIT_SCHEMA);
  const missing = await bothWays(t, entrance, '{"executionContent":{"runType":"sql"},"labels":{"route":"et1"}}');
  t.same(missing.parsed, ONE_EACH);
  t.equal(missing.inline.status, 400);
  t.match(missing.inline.json(), { status: 1, data: { code: 'LG_ERR_BODY_SCHEMA', pointer: '/executionContent/code', reason: 'is required' } });
  t.match(missing.inline.json().message, /at "\/executionContent\/code": is required/);
  const wrongType = await bothWays(t, entrance, '{"executionContent":{"code":"x"},"labels":{"route":7}}');
  t.match(wrongType.padded.json(), { data: { code: 'LG_ERR_BODY_SCHEMA', pointer: '/labels/route', reason: 'must be string' } });
  const role = await bothWays(t, entrance, '{"executionContent":{"code":"x"},"role":"user","role":"admin"}');
  t.match(role.inline.json(), { data: { code: 'LG_ERR_BODY_DUPLICATE_KEY', pointer: '/role' } }, 'S19: with a schema, every key counts');
  const empty = await entrance.submit('', {});
  t.match(empty.json(), { data: { code: 'LG_ERR_BODY_MALFORMED_JSON', reason: /empty/ } }, 'a POST without a body fails its schema');
  t.equal(entrance.tagged.received.length + entrance.plain.received.length, 0, 'nothing was forwarded');
  const valid = await bothWays(t, entrance, '{"executionContent":{"code":"show tables"},"labels":{"route":"et1"}}');
  t.equal(valid.inline.json().upstream, 'tagged');
  t.equal(valid.padded.json().upstream, 'tagged');
});

t.test('S18: content-type variants cannot skip a bodySchema; unknown or ambiguous types are refused', async (t) => {
  const entrance = await startEntranceGateway(t, WORKERS, SUBMIT_SCHEMA);
  const invalid = '{"executionContent":{},"labels":{"route":"et1"}}';
  for (const type of ['APPLICATION/JSON', 'application/json ; charset=utf-8', 'application/json\t;charset="UTF-8"', 'application/vnd.x+json; v=1']) {
    const { inline, parsed } = await bothWays(t, entrance, invalid, { 'content-type': type });
    t.same(parsed, ONE_EACH);
    t.equal(inline.json().data.code, 'LG_ERR_BODY_SCHEMA', `${JSON.stringify(type)} is validated`);
  }
  for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'application/json; charset=utf-16' }, { 'content-type': 'application/json, text/plain' },
    { 'content-type': ['application/json', 'text/plain'] }, {}] as Record<string, string | string[]>[]) {
    const { inline, parsed } = await bothWays(t, entrance, invalid, headers);
    t.same(parsed, { inline: 0, worker: 0 }, 'refused before the body is read');
    t.equal(inline.status, 415, JSON.stringify(headers));
    t.equal(inline.json().data?.code, 'LG_ERR_BODY_MEDIA_TYPE', inline.text);
  }
  t.equal(entrance.tagged.received.length + entrance.plain.received.length, 0, 'nothing was forwarded');
});

t.test('a bodySchema that does not compile is a config error at its position', async (t) => {
  const { gw, tagged, plain } = await startEntranceGateway(t, WORKERS, SUBMIT_SCHEMA);
  await gw.writeConfig(entranceYaml(tagged, plain, WORKERS, { type: 'object', requried: ['x'] }));
  const outcome = await gw.gateway.reload();
  t.match(outcome, { ok: false, error: { code: 'LG_ERR_CONFIG_BODY_SCHEMA', pointer: '/parsers/0/bodySchema', line: 11 } });
  t.match(outcome.ok ? '' : outcome.error.message, /bodySchema of parser entrance-execution does not compile: .*requried/);
});

t.test('a reload replaces the schema under load without failing a request', async (t) => {
  const entrance = await startEntranceGateway(t, WORKERS, SUBMIT_SCHEMA);
  const { gw, tagged, plain } = entrance;
  const strict = { ...SUBMIT_SCHEMA, properties: { ...SUBMIT_SCHEMA.properties, executionContent: { type: 'object', required: ['code'], properties: { code: { type: 'string', maxLength: 20 } } } } };
  const good = '{"executionContent":{"code":"show tables"},"labels":{"route":"et1"}}';
  const statuses = new Map<number, number>();
  let running = true;
  let done = 0;
  let waiting: { count: number; resolve: () => void } | undefined;
  const client = async () => {
    for (let i = 0; running; i++) {
      const status = (await entrance.submit(i % 2 ? good : good.replace(/^\{/, `{"pad":"${PAD}",`))).status;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (++done >= (waiting?.count ?? Infinity)) waiting!.resolve();
    }
  };
  const clients = [client(), client(), client(), client()];
  const completed = (count: number) => new Promise<void>((resolve) => (waiting = { count, resolve }));
  for (let version = 0; version < 7; version++) {
    await gw.writeConfig(entranceYaml(tagged, plain, WORKERS, version % 2 ? SUBMIT_SCHEMA : strict));
    t.match(await gw.gateway.reload(), { ok: true, changed: true }, `reload ${version}`);
    await completed(done + 20); // requests on the new version and the retiring one overlap
  }
  running = false;
  await Promise.all(clients);
  t.same([...statuses.keys()], [200], `every request succeeded (${statuses.get(200)} of them)`);
  t.ok(gw.gateway.pipeline.body.pool.counts.worker > 0 && gw.gateway.pipeline.body.pool.counts.inline > 0, 'both paths were used');
  const tooLong = `{"executionContent":{"code":"${'c'.repeat(21)}"},"labels":{"route":"et1"}}`;
  const { inline } = await bothWays(t, entrance, tooLong);
  t.match(inline.json(), { data: { code: 'LG_ERR_BODY_SCHEMA', pointer: '/executionContent/code' } }, 'the last schema is in force, in the workers too');
});
