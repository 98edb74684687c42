/**
 * Token codes, passwords, session tickets, bearer tokens and the session secret never appear in
 * an answer the gateway writes (other than the Set-Cookie that hands a ticket to its owner) or in a log line, at any
 * log level, on success or failure (design §3.4; Linkis echoed and logged token codes).
 */
import t from 'tap';
import { startGateway, staticRegistry } from '../helpers/gateway.js';
import { startUpstream } from '../helpers/upstream.js';
import { captureLog } from '../helpers/logs.js';
import { startIdp } from '../helpers/idp.js';
import type { Answer } from '../helpers/http.js';
import { passwordStrategy, securitySection, TEST_SECRET, TICKET_COOKIE, ticketCookie } from '../helpers/auth.js';

const LIST = '/api/rest_j/v1/jobhistory/list';
const TOKEN = 'Secret-token-code-9f8e7d6c5b4a3210';
const PASSWORD = 'correct-horse-battery-staple';
const WRONG_PASSWORD = 'wrong-horse-battery-staple';

t.test('secrets never appear in answers or logs', async (t) => {
  const up = await startUpstream('ps');
  t.teardown(() => up.close());
  const idp = await startIdp(t);
  const log = captureLog('trace');
  const files = {
    'leaky.js': `export default { kind: 'auth', name: 'leaky', version: '1', priority: 0, optionsSchema: { type: 'object' },
      create() { return { authenticate(request) { if (request.headers['x-boom']) throw new TypeError('strategy bug'); return undefined; } }; } };`,
  };
  const strategies = `    - use: token\n      options: { tokens: [ { code: ${TOKEN}, users: [alice], hosts: [127.0.0.1] } ] }\n${idp.strategy()}    - use: ./leaky.js\n`
    + await passwordStrategy([{ name: 'alice', password: PASSWORD }]);
  const gw = await startGateway(t, securitySection(strategies) + staticRegistry({ 'linkis-ps-publicservice': [up] }), { logger: log.logger, files });

  const answers: Answer[] = [];
  const ask = async (path: string, init: Parameters<typeof gw.request>[1] = {}) => {
    const answer = await gw.request(path, init);
    answers.push(answer);
    return answer;
  };
  const post = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', headers, body: JSON.stringify(body) });

  await ask('/api/rest_j/v1/user/login', post({ userName: 'alice', password: WRONG_PASSWORD }));
  const loggedIn = await ask('/api/rest_j/v1/user/login', post({ userName: 'alice', password: PASSWORD }));
  const cookie = ticketCookie(loggedIn)!;
  const ticket = cookie.slice(TICKET_COOKIE.length + 1);
  await ask(LIST, { headers: { cookie } });
  await ask(LIST, { headers: { cookie: `${TICKET_COOKIE}=${ticket.slice(0, -4)}AAA=` } });
  await ask('/api/rest_j/v1/user/userInfo', { headers: { cookie } });
  for (const user of ['alice', 'bob']) await ask(LIST, { headers: { 'token-code': TOKEN, 'token-user': user } });
  await ask(LIST, { headers: { 'token-code': `${TOKEN}x`, 'token-user': 'alice' } });
  const tokenLogin = await ask('/api/rest_j/v1/user/token-login', { method: 'POST', headers: { 'token-code': TOKEN, 'token-user': 'alice' } });
  const jwt = await idp.sign();
  const expired = await idp.sign({}, { expiresIn: Math.floor(Date.now() / 1000) - 600 });
  await ask(LIST, { headers: { authorization: `Bearer ${jwt}` } });
  await ask(LIST, { headers: { authorization: `Bearer ${expired}` } });
  await ask(LIST, { headers: { 'x-boom': '1', 'token-code': TOKEN } });
  await ask('/api/rest_j/v1/user/logout', { headers: { cookie } });

  const secrets: [string, string][] = [
    ['token code', TOKEN], ['password', PASSWORD], ['wrong password', WRONG_PASSWORD], ['session ticket', ticket],
    ['bearer token', jwt], ['expired bearer token', expired], ['session secret', TEST_SECRET],
  ];
  const handedOut = new Set([loggedIn, tokenLogin]);
  // Answers the upstream wrote (the test upstream echoes the request) are not the gateway's.
  for (const answer of answers.filter((candidate) => candidate.headers['x-upstream'] === undefined)) {
    const headers = { ...answer.headers };
    if (handedOut.has(answer)) delete headers['set-cookie'];
    const visible = answer.text + JSON.stringify(headers);
    for (const [name, secret] of secrets) t.notOk(visible.includes(secret), `no ${name} in an answer (${answer.status})`);
  }
  const logged = log.text();
  t.ok(logged.length > 0, 'something was logged');
  t.match(logged, /strategy bug/, 'failures are logged, without what the client sent');
  for (const [name, secret] of secrets) t.notOk(logged.includes(secret), `no ${name} in the log`);
});
