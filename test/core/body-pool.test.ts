/** The body worker pool, through a real gateway: which path parses a body, crashes, timeouts, reloads. */
import { connect } from 'node:net';
import t from 'tap';
import { BodyPool, ownedCopy } from '../../core/body-pool.js';
import { createLogger } from '../../core/logger.js';
import { entranceYaml, sha1, startEntranceGateway, submitBody, SUBMIT } from '../helpers/bodies.js';
import { eventually } from '../helpers/eureka.js';

const THRESHOLD = 4096;

t.test('bodies one byte under the threshold are parsed inline; at and over it, in a worker', async (t) => {
  const { gw, tagged, submit } = await startEntranceGateway(t, `{ workers: 1, workerThreshold: ${THRESHOLD} }`);
  const pool = gw.gateway.pipeline.body.pool;
  const paths: [number, string][] = [];
  for (const size of [THRESHOLD - 1, THRESHOLD, THRESHOLD + 1]) {
    const before = { ...pool.counts };
    const body = submitBody(size);
    const answer = await submit(body);
    t.equal(answer.json().upstream, 'tagged', `${size} bytes routed by the label`);
    t.equal(tagged.received.at(-1)!.bodySha1, sha1(body), `${size} bytes forwarded unchanged`);
    t.equal(tagged.received.at(-1)!.headers['content-length'], String(size));
    paths.push([size, pool.counts.inline > before.inline ? 'inline' : pool.counts.worker > before.worker ? 'worker' : 'none']);
  }
  t.same(paths, [[THRESHOLD - 1, 'inline'], [THRESHOLD, 'worker'], [THRESHOLD + 1, 'worker']]);
});

t.test('with workers: 0 every body is parsed inline', async (t) => {
  const { gw, submit } = await startEntranceGateway(t, `{ workers: 0, workerThreshold: ${THRESHOLD} }`);
  t.equal((await submit(submitBody(THRESHOLD * 4))).status, 200);
  t.same(gw.gateway.pipeline.body.pool.counts, { inline: 1, worker: 0, failed: 0, rejected: 0, dropped: 0 });
});

t.test('a worker that crashes fails only its own request (500) and the pool recovers', async (t) => {
  const { gw, tagged, submit } = await startEntranceGateway(t, `{ workers: 1, workerThreshold: ${THRESHOLD} }`);
  const pool = gw.gateway.pipeline.body.pool;
  t.equal((await submit(submitBody(THRESHOLD * 2))).status, 200, 'the worker is up');
  pool.injectFault('crash');
  const crashed = await submit(submitBody(THRESHOLD * 2));
  t.equal(crashed.status, 500);
  t.match(crashed.json(), { status: 1, data: { code: 'LG_ERR_BODY_WORKER_FAILED' } });
  t.equal(tagged.received.length, 1, 'the failed request was not forwarded');
  for (let i = 0; i < 5; i++) t.equal((await submit(submitBody(THRESHOLD * 2))).json().upstream, 'tagged', `request ${i} after the crash`);
  t.equal(pool.counts.failed, 1);
});

t.test('a worker that exceeds body.timeout is terminated, its request fails with 500, the next ones work', async (t) => {
  const { gw, submit } = await startEntranceGateway(t, `{ workers: 1, workerThreshold: ${THRESHOLD}, timeout: 2s }`);
  const pool = gw.gateway.pipeline.body.pool;
  pool.injectFault('hang');
  const hung = await submit(submitBody(THRESHOLD * 2));
  t.equal(hung.status, 500);
  t.match(hung.json(), { data: { code: 'LG_ERR_BODY_WORKER_TIMEOUT' }, message: /within 2000 ms/ });
  for (let i = 0; i < 3; i++) t.equal((await submit(submitBody(THRESHOLD * 2))).status, 200, `request ${i} after the timeout`);
});

t.test('body.timeout counts a worker\'s own time: a body queued behind a hung one, and the start of its replacement thread, do not count', async (t) => {
  const { gw, submit } = await startEntranceGateway(t, `{ workers: 1, workerThreshold: ${THRESHOLD}, timeout: 1s }`);
  gw.gateway.pipeline.body.pool.injectFault('hang');
  const hung = submit(submitBody(THRESHOLD * 2));
  // Queued behind the hung task for its whole second, then parsed by a thread that starts afterwards.
  const queued = submit(submitBody(THRESHOLD * 2));
  t.equal((await hung).status, 500, 'the hung body fails');
  const answer = await queued;
  t.equal(answer.status, 200, 'the queued body is parsed and forwarded');
  t.equal(answer.json().upstream, 'tagged');
});

t.test('a body that finds body.maxQueue bodies waiting gets 503, Retry-After and LG_ERR_BODY_QUEUE_FULL; the queued ones are still parsed and forwarded', async (t) => {
  const { gw, tagged, submit } = await startEntranceGateway(t, `{ workers: 1, workerThreshold: ${THRESHOLD}, maxQueue: 2, timeout: 3s }`);
  const pool = gw.gateway.pipeline.body.pool;
  pool.injectFault('hang');
  const hung = submit(submitBody(THRESHOLD * 2));
  await eventually(() => pool.counts.worker === 1, 10_000, 'the hung body at the worker');
  const queued = [submit(submitBody(THRESHOLD * 2)), submit(submitBody(THRESHOLD * 3))];
  await eventually(() => pool.stats().queueSize === 2, 10_000, 'two bodies queued');

  const refused = await submit(submitBody(THRESHOLD * 2));
  t.equal(refused.status, 503);
  t.equal(refused.headers['retry-after'], '1');
  t.match(refused.json(), { method: SUBMIT, status: 1, data: { code: 'LG_ERR_BODY_QUEUE_FULL', retryAfter: 1 }, message: /2 bodies already wait/ });
  t.equal(tagged.received.length, 0, 'the refused body was not forwarded');

  t.equal((await hung).status, 500, 'the hung body times out');
  const answers = await Promise.all(queued);
  t.same(answers.map((answer) => [answer.status, answer.json().upstream]), [[200, 'tagged'], [200, 'tagged']], 'both queued bodies are parsed and forwarded');
  t.same(tagged.received.map((received) => received.bodyBytes).sort((a, b) => a - b), [THRESHOLD * 2, THRESHOLD * 3], 'each whole');
  t.match(pool.counts, { rejected: 1, dropped: 0 });
  t.equal((await submit(submitBody(THRESHOLD * 2))).status, 200, 'the queue takes bodies again');
});

t.test('a queued body whose client closes its connection leaves the queue unparsed', async (t) => {
  const { gw, tagged, submit } = await startEntranceGateway(t, `{ workers: 1, workerThreshold: ${THRESHOLD}, timeout: 3s }`);
  const pool = gw.gateway.pipeline.body.pool;
  pool.injectFault('hang');
  const hung = submit(submitBody(THRESHOLD * 2));
  await eventually(() => pool.counts.worker === 1, 10_000, 'the hung body at the worker');

  const body = submitBody(THRESHOLD * 2);
  const client = connect(Number(new URL(gw.gateway.url).port), '127.0.0.1');
  client.on('error', () => undefined);
  client.write(`POST ${SUBMIT} HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  await eventually(() => pool.stats().queueSize === 1, 10_000, 'the body queued');
  client.destroy();
  await eventually(() => pool.stats().queueSize === 0, 10_000, 'the queue empty');
  t.match(pool.counts, { dropped: 1, failed: 0 }, 'dropped while the only worker was still busy: never parsed');

  t.equal((await hung).status, 500);
  t.equal((await submit(submitBody(THRESHOLD * 2))).status, 200, 'the next body is parsed');
  t.equal(tagged.received.length, 1, 'only that one reached the backend');
});

t.test('a reload keeps the worker threads unless body.workers changes', async (t) => {
  const { gw, tagged, plain, submit } = await startEntranceGateway(t, `{ workers: 1, workerThreshold: ${THRESHOLD} }`);
  const first = gw.gateway.pipeline.body.pool;
  await gw.writeConfig(entranceYaml(tagged, plain, `{ workers: 1, workerThreshold: ${THRESHOLD * 2} }`));
  t.match(await gw.gateway.reload(), { ok: true, changed: true });
  t.equal(gw.gateway.pipeline.body.pool, first, 'same pool, same threads');
  await gw.writeConfig(entranceYaml(tagged, plain, `{ workers: 2, workerThreshold: ${THRESHOLD} }`));
  t.match(await gw.gateway.reload(), { ok: true, changed: true });
  const second = gw.gateway.pipeline.body.pool;
  t.not(second, first, 'a new pool for the new worker count');
  t.equal((await submit(submitBody(THRESHOLD * 2))).status, 200);
  t.equal(second.counts.worker, 1);
});

t.test('only memory the gateway allocated is transferred to a worker; any other buffer is copied first', async (t) => {
  const pool = new BodyPool(1, createLogger('silent'));
  t.teardown(() => pool.destroy());
  const settings = { workerThreshold: 0, timeout: 10_000, maxQueue: 32 };
  const foreign = Buffer.from(submitBody(THRESHOLD));
  const parsed = await pool.parse(foreign, undefined, settings);
  t.same(parsed.outcome, { ok: true, facts: { labels: { route: 'et1' } } });
  t.equal(foreign.length, THRESHOLD, 'the caller\'s buffer is still whole (it could have been memory Node reuses)');
  const owned = ownedCopy([foreign], foreign.length);
  const moved = await pool.parse(owned, undefined, settings);
  t.equal(owned.length, 0, 'an owned buffer was transferred, not copied');
  t.equal(sha1(moved.bytes), sha1(foreign), 'and came back intact');
  await pool.parse(moved.bytes, undefined, settings);
  t.equal(moved.bytes.length, 0, 'what came back may travel again');
  t.same(pool.counts, { inline: 0, worker: 3, failed: 0, rejected: 0, dropped: 0 });
});
