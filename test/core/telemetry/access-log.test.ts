/** Access log lines of a real gateway: one per request, the decisions made, never a secret. */
import t, { type Test } from 'tap';
import { Writable } from 'node:stream';
import { createLogger } from '../../../core/logger.js';
import { startGateway, type TestGateway } from '../../helpers/gateway.js';
import { startUpstream } from '../../helpers/upstream.js';
import { eventually } from '../../helpers/eureka.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function logSink(): { stream: Writable; lines: () => any[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, lines: () => text.split('\n').filter(Boolean).map((line) => JSON.parse(line)) };
}

async function gateway(t: Test, extra = ''): Promise<{ gw: TestGateway; access: () => any[]; all: () => string }> {
  const upstream = await startUpstream('svc');
  t.teardown(() => upstream.close());
  const sink = logSink();
  const gw = await startGateway(t, `registry: { static: [{ app: svc, instances: ["${upstream.hostPort}"] }] }
security: { passThrough: ["^/api/"] }
parsers: [ { use: rules, options: { rules: [ { name: svc, match: "^/api/rest_j/v1/svc/.+$", application: svc } ] } } ]
${extra}`, { logger: createLogger('info', sink.stream) });
  return { gw, access: () => sink.lines().filter((line) => line.log === 'access'), all: () => JSON.stringify(sink.lines()) };
}

t.test('each request is logged once with its id, trace, route, application, upstream and status', async (t) => {
  const { gw, access } = await gateway(t);
  await gw.request('/api/rest_j/v1/svc/list?page=2', { headers: { 'x-request-id': 'req-1', traceparent: TRACEPARENT } });
  await eventually(() => access().length === 1, 5000, 'one access line');
  const [line] = access();
  t.match(line, {
    level: 30, msg: 'request', reqId: 'req-1', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', method: 'GET',
    path: '/api/rest_j/v1/svc/list', status: 200, client: '127.0.0.1', route: 'rules/svc', application: 'svc', attempts: 1,
  });
  t.match(line.upstream, /^127\.0\.0\.1:\d+$/);
  t.type(line.ms, 'number');
});

t.test('refused requests are logged with their error code', async (t) => {
  const { gw, access } = await gateway(t);
  await gw.request('/private');
  await gw.request('/api/rest_j/v1/svc/a%5Cb?ticket=abc');
  await eventually(() => access().length === 2, 5000, 'two access lines');
  t.match(access(), [
    { path: '/private', status: 401, error: 'LG_ERR_AUTH_REQUIRED' },
    { path: '/api/rest_j/v1/svc/a%5Cb', status: 400, error: 'LG_ERR_PATH_ENCODED_SEPARATOR' },
  ]);
});

t.test('cookies, authorization, Token-Code, tickets and the query never reach the log (S26)', async (t) => {
  const { gw, access, all } = await gateway(t);
  await gw.request('/api/rest_j/v1/svc/list?ticket=TICKET-SECRET', {
    headers: {
      cookie: 'linkis_user_session_ticket_id_v1=COOKIE-SECRET', authorization: 'Bearer AUTH-SECRET',
      'token-code': 'TOKEN-SECRET', 'token-user': 'hadoop',
    },
  });
  await eventually(() => access().length === 1, 5000, 'one access line');
  for (const secret of ['TICKET-SECRET', 'COOKIE-SECRET', 'AUTH-SECRET', 'TOKEN-SECRET']) t.notMatch(all(), secret, secret);
});

t.test('log.access: false writes no access lines', async (t) => {
  const { gw, access } = await gateway(t, 'log: { access: false }\n');
  const answer = await gw.request('/api/rest_j/v1/svc/list');
  t.equal(answer.status, 200);
  // The metrics count the request once its response closed; by then an access line would exist too.
  await eventually(async () => (await gw.admin('/admin/traffic')).json().applications.length === 1, 5000, 'the request counted');
  t.same(access(), []);
});
