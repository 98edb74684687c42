/** Access log lines of a real gateway: one per request, the decisions made, never a secret. */
import t, { type Test } from 'tap';
import { Writable } from 'node:stream';
import type { Logger } from '../../../core/contracts.js';
import { createLogger, type LogLevel } from '../../../core/logger.js';
import { AccessWriter, accessFields } from '../../../core/telemetry/access-log.js';
import { Exchange } from '../../../core/telemetry/exchange.js';
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

const SVC_YAML = (hostPort: string) => `registry: { static: [{ app: svc, instances: ["${hostPort}"] }] }
security: { passThrough: ["^/api/"] }
parsers: [ { use: rules, options: { rules: [ { name: svc, match: "^/api/rest_j/v1/svc/.+$", application: svc } ] } } ]
`;

async function gateway(t: Test, extra = '', level: LogLevel = 'info'): Promise<{ gw: TestGateway; access: () => any[]; all: () => string }> {
  const upstream = await startUpstream('svc');
  t.teardown(() => upstream.close());
  const sink = logSink();
  const gw = await startGateway(t, `${SVC_YAML(upstream.hostPort)}${extra}`, { logger: createLogger(level, sink.stream) });
  return { gw, access: () => sink.lines().filter((line) => line.log === 'access'), all: () => JSON.stringify(sink.lines()) };
}

/** Waits until the metrics counted `count` requests: by then their access lines were handed over too. */
async function counted(gw: TestGateway, count: number): Promise<void> {
  await eventually(async () => ((await gw.admin('/admin/traffic')).json().applications[0]?.requests ?? 0) === count, 5000, `${count} requests counted`);
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
  t.equal((await gw.request('/api/rest_j/v1/svc/list')).status, 200);
  await counted(gw, 1);
  await gw.close(); // flushes whatever is waiting
  t.same(access(), []);
});

t.test('below log.level info there are no access lines either', async (t) => {
  const { gw, access } = await gateway(t, '', 'warn');
  t.equal((await gw.request('/api/rest_j/v1/svc/list')).status, 200);
  await counted(gw, 1);
  await gw.close();
  t.same(access(), []);
});

t.test('a logger that is not pino gets the access fields as info calls', async (t) => {
  const upstream = await startUpstream('svc');
  t.teardown(() => upstream.close());
  const calls: { bindings: Record<string, unknown>; obj: any; msg?: string }[] = [];
  const make = (bindings: Record<string, unknown>): Logger => ({
    info: (obj, msg) => calls.push({ bindings, obj, msg }), warn: () => {}, error: () => {}, debug: () => {},
    child: (more) => make({ ...bindings, ...more }),
  });
  const gw = await startGateway(t, SVC_YAML(upstream.hostPort), { logger: make({}) });
  await gw.request('/api/rest_j/v1/svc/list', { headers: { 'x-request-id': 'plain-1' } });
  await eventually(() => calls.some((call) => call.bindings.log === 'access'), 5000, 'an access call');
  t.match(calls.find((call) => call.bindings.log === 'access'), { msg: 'request', obj: { reqId: 'plain-1', status: 200, route: 'rules/svc' } });
});

t.test('the line written for pino holds exactly the fields other loggers get', async (t) => {
  const writer = new AccessWriter(createLogger('info', logSink().stream));
  const pipeline = { config: { tracing: { generate: false } } } as never;
  const res = {} as never;
  const full = new Exchange({ headers: { 'x-request-id': 'r-1', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, method: 'POST', url: '/x?q' } as never, res, pipeline);
  Object.assign(full, {
    path: '/api/"quoted"\\path', client: '10.0.0.7', user: 'ha"doop', route: { parserName: 'rules', pattern: { name: 'j"h' } },
    application: 'app', upstream: { hostPort: 'h:1' }, attempts: 2, error: 'LG_ERR_UPSTREAM_RESET', status: 502, durationMs: 1.23456,
  });
  const refused = new Exchange({ headers: {}, method: 'GET', url: '/a%5Cb?ticket=secret' } as never, res, pipeline);
  Object.assign(refused, { status: 400, error: 'LG_ERR_PATH_ENCODED_SEPARATOR', durationMs: 0.0004 });
  const unicode = new Exchange({ headers: {}, method: 'GET', url: '/' } as never, res, pipeline);
  Object.assign(unicode, { path: '/api/文件/é', user: '张三', status: 200, durationMs: 12.0505 });
  const exact = new Exchange({ headers: {}, method: 'GET', url: '/' } as never, res, pipeline);
  Object.assign(exact, { path: '/', status: 204, durationMs: 3 });
  for (const exchange of [full, refused, unicode, exact]) {
    const { level, time, name, log, msg, ...fields } = JSON.parse(writer.line(exchange));
    t.same({ level, name, log, msg }, { level: 30, name: 'labelgate', log: 'access', msg: 'request' });
    t.type(time, 'number');
    const expected = Object.fromEntries(Object.entries(accessFields(exchange)).filter(([, value]) => value !== undefined));
    t.same(Object.keys(fields), Object.keys(expected), 'same fields, same order');
    t.same(fields, expected);
  }
});
