/** GET /admin/routes: the parsers, their patterns, the router and the interceptors in force. */
import t from 'tap';
import { startGateway } from '../helpers/gateway.js';

t.test('/admin/routes lists parsers with their patterns in order, the router and the interceptors', async (t) => {
  const gw = await startGateway(t, `parsers:
  - use: entrance-execution
  - use: rules
    options: { rules: [ { name: jobhistory, match: "^/api/rest_j/v1/jobhistory/.+$", application: linkis-ps-publicservice, methods: [GET] } ] }
  - use: linkis-default
interceptors: [ { use: retry, options: { attempts: 2 } } ]
`);
  const answer = await gw.admin('/admin/routes');
  t.equal(answer.status, 200);
  const routes = answer.json();
  t.equal(routes.version, 1);
  t.same(routes.parsers.map((parser: any) => [parser.name, parser.fallback]), [['entrance-execution', false], ['rules', false], ['linkis-default', true]]);
  t.match(routes.parsers[1].patterns, [{ route: 'rules/jobhistory', name: 'jobhistory', match: '^/api/rest_j/v1/jobhistory/.+$', methods: ['GET'], unproven: false }]);
  t.match(routes.router, { name: 'label' });
  t.match(routes.interceptors, [{ name: 'retry', priority: 100 }]);
});

t.test('the route names of /admin/routes are those of the metrics and the access log', async (t) => {
  const gw = await startGateway(t, `security: { passThrough: ["^/api/"] }
parsers: [ { use: rules, options: { rules: [ { name: jobs, match: "^/api/rest_j/v1/jobs/.+$", application: nowhere } ] } } ]
`);
  await gw.request('/api/rest_j/v1/jobs/list');
  const route = gw.admin('/admin/routes').then((answer) => answer.json().parsers[0].patterns[0].route);
  const metrics = (await gw.admin('/metrics')).text;
  t.match(metrics, new RegExp(`labelgate_http_requests_total\\{application="",route="${await route}",status="404"\\} 1`));
});
