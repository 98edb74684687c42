/** /metrics on the admin listener: names, labels and values after known traffic. */
import t from 'tap';
import WebSocket from 'ws';
import type { GatewayModule } from '../../../core/modules.js';
import { metricsService } from '../../../core/metrics/worker-pools.js';
import { startGateway, type TestGateway } from '../../helpers/gateway.js';
import { closedPort, startUpstream } from '../../helpers/upstream.js';
import { parsePrometheus, sampleValue, type PromSample } from '../../helpers/prometheus.js';
import { startWsUpstream } from '../../helpers/ws-upstream.js';
import { TEST_AUTH_FILES, TEST_AUTH_YAML } from '../../helpers/test-auth.js';

async function scrape(gw: TestGateway, headers: Record<string, string> = {}): Promise<PromSample[]> {
  const answer = await gw.admin('/metrics', { headers });
  if (answer.status !== 200) throw new Error(`/metrics answered ${answer.status}`);
  return parsePrometheus(answer.text);
}

const rules = (...apps: string[]) => `parsers:
  - use: rules
    options:
      rules:
${apps.map((app) => `        - { name: ${app}, match: "^/api/rest_j/v1/${app}/.+$", application: ${app} }`).join('\n')}
`;

t.test('requests are counted and timed by application, route and status', async (t) => {
  const upstream = await startUpstream('svc');
  t.teardown(() => upstream.close());
  const gw = await startGateway(t, `registry: { static: [{ app: svc, instances: ["${upstream.hostPort}"] }] }
security: { passThrough: ["^/api/"] }
${rules('svc')}`);
  for (let i = 0; i < 3; i++) t.equal((await gw.request('/api/rest_j/v1/svc/list')).status, 200);
  t.equal((await gw.request('/private')).status, 401);

  const answer = await gw.admin('/metrics');
  t.match(answer.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  t.match(answer.text, /# TYPE labelgate_http_request_duration_seconds histogram/);
  t.match(answer.text, /# TYPE labelgate_http_requests_total counter/);
  const samples = parsePrometheus(answer.text);
  const ok = { application: 'svc', route: 'rules/svc', status: '200' };
  t.equal(sampleValue(samples, 'labelgate_http_requests_total', ok), 3);
  t.equal(sampleValue(samples, 'labelgate_http_requests_total', { application: '', route: '', status: '401' }), 1, 'refused before routing: no application, no route');
  t.equal(sampleValue(samples, 'labelgate_http_request_duration_seconds_count', ok), 3);
  t.equal(sampleValue(samples, 'labelgate_http_request_duration_seconds_bucket', { ...ok, le: '+Inf' }), 3);
  t.ok(sampleValue(samples, 'labelgate_http_request_duration_seconds_sum', ok)! > 0);
  const buckets = samples.filter((s) => s.name === 'labelgate_http_request_duration_seconds_bucket' && s.labels.status === '200').map((s) => s.value);
  t.same([...buckets].sort((a, b) => a - b), buckets, 'buckets are cumulative');
  t.equal(sampleValue(samples, 'labelgate_http_requests_in_flight'), 0);
  t.ok(sampleValue(samples, 'process_cpu_user_seconds_total') !== undefined, 'the standard process metrics are there too');
  t.equal(sampleValue(samples, 'labelgate_build_info'), 1);
});

t.test('upstream errors and retries are counted by application and upstream', async (t) => {
  const live = await startUpstream('live');
  t.teardown(() => live.close());
  const [dead, alsoDead] = [await closedPort(), await closedPort()];
  const gw = await startGateway(t, `registry:
  static:
    - { app: flaky, instances: ["127.0.0.1:${dead}", "${live.hostPort}"] }
    - { app: broken, instances: ["127.0.0.1:${alsoDead}"] }
security: { passThrough: ["^/api/"] }
router: { use: label, options: { balance: round-robin } }
interceptors: [ { use: retry, options: { attempts: 2 } } ]
${rules('flaky', 'broken')}`);
  // Round-robin: one of the two requests starts at the dead instance and is retried on the live one.
  t.equal((await gw.request('/api/rest_j/v1/flaky/a')).status, 200);
  t.equal((await gw.request('/api/rest_j/v1/flaky/b')).status, 200);
  t.equal((await gw.request('/api/rest_j/v1/broken/c')).status, 502);
  const samples = await scrape(gw);
  t.equal(sampleValue(samples, 'labelgate_upstream_errors_total', { application: 'flaky', upstream: `127.0.0.1:${dead}`, code: 'LG_ERR_UPSTREAM_CONNECT' }), 1);
  t.equal(sampleValue(samples, 'labelgate_upstream_retries_total', { application: 'flaky', upstream: live.hostPort }), 1);
  t.equal(sampleValue(samples, 'labelgate_upstream_errors_total', { application: 'broken', upstream: `127.0.0.1:${alsoDead}` }), 1);
  t.equal(sampleValue(samples, 'labelgate_upstream_retries_total', { application: 'broken' }), undefined, 'a single candidate is not retried');
  t.equal(sampleValue(samples, 'labelgate_http_requests_total', { application: 'broken', route: 'rules/broken', status: '502' }), 1);
});

t.test('reloads, the config version and registry instances are reported', async (t) => {
  const yaml = (extra: string) => `registry: { static: [{ app: svc, instances: ["10.0.0.1:1", "10.0.0.2:1"] }] }\n${extra}`;
  const gw = await startGateway(t, yaml(''));
  let samples = await scrape(gw);
  t.equal(sampleValue(samples, 'labelgate_config_version'), 1);
  t.equal(sampleValue(samples, 'labelgate_config_reloads_total', { result: 'ok' }), 0);
  t.equal(sampleValue(samples, 'labelgate_registry_instances', { application: 'svc', status: 'UP' }), 2);

  await gw.writeConfig(yaml('server: { colour: blue }\n'));
  t.equal((await gw.gateway.reload()).ok, false);
  samples = await scrape(gw);
  t.equal(sampleValue(samples, 'labelgate_config_reloads_total', { result: 'failed' }), 1);
  t.equal(sampleValue(samples, 'labelgate_config_last_reload_successful'), 0);
  t.equal(sampleValue(samples, 'labelgate_config_version'), 1, 'the refused config is not in force');

  await gw.writeConfig(yaml('compat: { routingErrorsAsHttp200: true }\n'));
  t.equal((await gw.gateway.reload()).ok, true);
  samples = await scrape(gw);
  t.equal(sampleValue(samples, 'labelgate_config_reloads_total', { result: 'ok' }), 1);
  t.equal(sampleValue(samples, 'labelgate_config_last_reload_successful'), 1);
  t.equal(sampleValue(samples, 'labelgate_config_version'), 2);
});

t.test('WebSocket connections and frames are counted', async (t) => {
  const upstream = await startWsUpstream('ws');
  t.teardown(() => upstream.close());
  const gw = await startGateway(t, `${TEST_AUTH_YAML}registry: { static: [{ app: linkis-cg-entrance, instances: ["${upstream.hostPort}"] }] }\n`, { files: TEST_AUTH_FILES });
  const socket = new WebSocket(`${gw.gateway.url.replace('http', 'ws')}/ws/api/entrance/connect`, { headers: { 'x-test-user': 'alice' } });
  t.teardown(() => socket.terminate());
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const answered = new Promise((resolve) => socket.once('message', resolve));
  socket.send(JSON.stringify({ method: '/api/rest_j/v1/entrance/execute', data: {} }));
  await answered;
  const samples = await scrape(gw);
  t.equal(sampleValue(samples, 'labelgate_websocket_connections'), 1);
  t.equal(sampleValue(samples, 'labelgate_websocket_connections_total'), 1);
  t.equal(sampleValue(samples, 'labelgate_websocket_messages_total', { direction: 'received' }), 1);
  t.equal(sampleValue(samples, 'labelgate_websocket_messages_total', { direction: 'sent' }), 1);
});

t.test('a worker pool plugs in through services.metrics and leaves with it', async (t) => {
  let withdraw: (() => void) | undefined;
  const pool: GatewayModule = {
    name: 'test-pool',
    setup(context) {
      withdraw = metricsService(context.services)?.addWorkerPool('test-pool', () => ({ queueSize: 3, utilization: 0.25, threads: 2, completed: 7 }));
    },
  };
  const gw = await startGateway(t, '', { modules: [pool] });
  let samples = await scrape(gw);
  t.equal(sampleValue(samples, 'labelgate_worker_pool_queue_size', { pool: 'test-pool' }), 3);
  t.equal(sampleValue(samples, 'labelgate_worker_pool_utilization_ratio', { pool: 'test-pool' }), 0.25);
  t.equal(sampleValue(samples, 'labelgate_worker_pool_threads', { pool: 'test-pool' }), 2);
  t.equal(sampleValue(samples, 'labelgate_worker_pool_tasks_completed_total', { pool: 'test-pool' }), 7);
  withdraw!();
  samples = await scrape(gw);
  t.equal(sampleValue(samples, 'labelgate_worker_pool_queue_size', { pool: 'test-pool' }), undefined);
});

t.test('the body worker pool reports its threads and the bodies it parsed', async (t) => {
  const upstream = await startUpstream('entrance');
  t.teardown(() => upstream.close());
  const gw = await startGateway(t, `registry: { static: [{ app: linkis-cg-entrance, instances: ["${upstream.hostPort}"] }] }
security: { passThrough: ["^/api/"] }
body: { workers: 2, workerThreshold: 1KiB }
`);
  const big = JSON.stringify({ executionContent: { code: 'x'.repeat(4096) } });
  for (let i = 0; i < 3; i++) {
    t.equal((await gw.request('/api/rest_j/v1/entrance/submit', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big })).status, 200);
  }
  const samples = await scrape(gw);
  t.equal(sampleValue(samples, 'labelgate_worker_pool_threads', { pool: 'body' }), 2);
  t.equal(sampleValue(samples, 'labelgate_worker_pool_tasks_completed_total', { pool: 'body' }), 3, 'three bodies over the threshold went to workers');
  t.equal(sampleValue(samples, 'labelgate_worker_pool_queue_size', { pool: 'body' }), 0);
});

t.test('with metrics.enabled off nothing is counted, and /metrics needs the admin token when one is set', async (t) => {
  const upstream = await startUpstream('svc');
  t.teardown(() => upstream.close());
  const token = 'a'.repeat(32);
  const gw = await startGateway(t, `admin: { host: 127.0.0.1, port: 0, token: ${token} }
registry: { static: [{ app: svc, instances: ["${upstream.hostPort}"] }] }
security: { passThrough: ["^/api/"] }
metrics: { enabled: false }
${rules('svc')}`);
  t.equal((await gw.request('/api/rest_j/v1/svc/list')).status, 200);
  t.equal((await gw.admin('/metrics')).status, 401);
  const samples = await scrape(gw, { authorization: `Bearer ${token}` });
  t.equal(sampleValue(samples, 'labelgate_http_requests_total', { application: 'svc' }), undefined);
  const traffic = (await gw.admin('/admin/traffic', { headers: { authorization: `Bearer ${token}` } })).json();
  t.match(traffic, { enabled: false, applications: [] });
});
