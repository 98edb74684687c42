/**
 * The Linkis user endpoints, answered by the gateway and never forwarded (spec/linkis.md §1.4):
 *
 *   /api/rest_j/v1/user/login        user name + password → session cookie
 *   /api/rest_j/v1/user/token-login  Token-Code + Token-User → session cookie (POST only)
 *   /api/rest_j/v1/user/logout       ends the session (and the SSO one), clears the cookies
 *   /api/rest_j/v1/user/userInfo     the logged-in user (400 when not logged in, as Linkis)
 *   /api/rest_j/v1/user/heartbeat    keeps the session alive (401 when not logged in)
 *   /api/rest_j/v1/user/baseinfo     web console settings, no login needed
 *   /api/rest_j/v1/user/publicKey    login encryption is off: says so
 *   /api/rest_j/v1/user/<other>      400 unknown request URI <other> (exact paths: `login/` too)
 *
 * Replies keep Linkis's messages; `method` is the request path (core/local-endpoints.ts).
 */
import type { LoginCredentials, Principal } from './contracts.js';
import { collectBody } from './body-reader.js';
import { errorBody, okBody } from './envelope.js';
import { GatewayError } from './errors.js';
import type { EndpointAccess, LocalEndpoint, LocalRequest } from './local-endpoints.js';
import type { Sessions } from './session/sessions.js';
import { tokenCredentials } from './token-credentials.js';

export const USER_PREFIX = '/api/rest_j/v1/user/';
const MAX_LOGIN_BODY = 64 * 1024;
const MAX_USER_CHARS = 256;
const MAX_PASSWORD_CHARS = 1024;

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** Query `userName` + `password` (or `passwdEncrypt`), else the JSON body of a non-GET request. */
async function readCredentials(request: LocalRequest): Promise<LoginCredentials> {
  const query = new URLSearchParams(request.target.query);
  let source: Record<string, unknown> = Object.fromEntries(query);
  if (!query.has('userName') && request.req.method !== 'GET') {
    const bytes = await collectBody(request.req, MAX_LOGIN_BODY);
    if (bytes.length > 0) {
      let json: unknown;
      try {
        json = JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        throw new GatewayError('LG_ERR_BODY_MALFORMED_JSON', { reason: (error as Error).message });
      }
      source = typeof json === 'object' && json !== null && !Array.isArray(json) ? json as Record<string, unknown> : {};
    }
  }
  return { userName: text(source.userName).trim(), password: text(source.password ?? source.passwdEncrypt) };
}

/** The principal of a valid session cookie, if the request has one. */
async function sessionOf(sessions: Sessions, request: LocalRequest): Promise<Principal | undefined> {
  const ticket = request.cookies[sessions.cookieName];
  return ticket ? sessions.verify(ticket) : undefined;
}

async function login(sessions: Sessions, request: LocalRequest): Promise<void> {
  const loginData = { sessionTimeOut: sessions.ttl, enableWatermark: true };
  try {
    const current = await sessionOf(sessions, request);
    if (current) {
      request.reply(200, okBody(`${current.user} already logged in, please log out before signing in(已经登录，请先退出再进行登录)！`, { userName: current.user, ...loginData }));
      return;
    }
    const credentials = await readCredentials(request);
    if (credentials.userName === '') throw new GatewayError('LG_ERR_LOGIN_USER_EMPTY');
    if (credentials.password === '') throw new GatewayError('LG_ERR_LOGIN_PASSWORD_EMPTY');
    const tooLong = credentials.userName.length > MAX_USER_CHARS || credentials.password.length > MAX_PASSWORD_CHARS;
    const principal = tooLong ? undefined : await request.pipeline.security.chain.login(credentials, request.auth);
    if (!principal) throw new GatewayError('LG_ERR_LOGIN_FAILED');
    const ticket = await sessions.issue(principal);
    request.reply(200, okBody('login successful(登录成功)！', { userName: principal.user, isAdmin: principal.admin, ...loginData }), { 'set-cookie': sessions.setCookie(ticket) });
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    // Every login reply carries the session settings, failures included (Linkis).
    const body = errorBody(error);
    body.data = { ...body.data, ...loginData };
    const headers: Record<string, string> = {};
    if (typeof error.data.retryAfter === 'number') headers['retry-after'] = String(error.data.retryAfter);
    // The rest of an oversized body is not read: close rather than parse it as the next request.
    if (error.code === 'LG_ERR_BODY_TOO_LARGE') headers.connection = 'close';
    request.reply(error.httpStatus, body, headers);
  }
}

async function tokenLogin(sessions: Sessions, request: LocalRequest): Promise<void> {
  if (request.req.method !== 'POST') throw new GatewayError('LG_ERR_LOGIN_METHOD');
  const { security } = request.pipeline;
  if (!security.chain.hasScheme('token')) throw new GatewayError('LG_ERR_TOKEN_DISABLED');
  if (!tokenCredentials(request.req.headers, request.cookies)) throw new GatewayError('LG_ERR_TOKEN_MISSING');
  const principal = await security.authenticate(request.auth, 'token');
  const ticket = await sessions.issue(principal);
  request.reply(200, okBody('login successful(登录成功)！', { userName: principal.user, isAdmin: principal.admin }), { 'set-cookie': sessions.setCookie(ticket) });
}

async function logout(sessions: Sessions, request: LocalRequest): Promise<void> {
  const ticket = request.cookies[sessions.cookieName];
  const principal = ticket ? await sessions.verify(ticket) : undefined;
  if (ticket) await sessions.revoke(ticket);
  await request.pipeline.security.chain.logout(request.auth, principal);
  request.reply(200, okBody('Logout successful(退出登录成功)！'), { 'set-cookie': sessions.clearCookies() });
}

async function userInfo(request: LocalRequest): Promise<void> {
  let principal: Principal;
  try {
    principal = await request.pipeline.security.authenticate(request.auth);
  } catch (error) {
    // Linkis answers 400 here, not 401 (spec/linkis.md §1.4).
    if (error instanceof GatewayError && error.envelopeStatus === -1) throw new GatewayError('LG_ERR_USER_NOT_LOGGED_IN', {}, { cause: error });
    throw error;
  }
  request.reply(200, okBody('get user information succeed!', { userName: principal.user }));
}

export function userEndpoints(sessions: Sessions): LocalEndpoint[] {
  const at = (name: string, access: EndpointAccess, handle: (request: LocalRequest) => void | Promise<void>): LocalEndpoint =>
    ({ name: `user/${name}`, path: USER_PREFIX + name, access, handle });
  return [
    at('login', 'public', (request) => login(sessions, request)),
    at('token-login', 'public', (request) => tokenLogin(sessions, request)),
    at('logout', 'public', (request) => logout(sessions, request)),
    at('userInfo', 'public', userInfo),
    at('heartbeat', 'user', (request) => request.reply(200, okBody('Maintain heartbeat success(维系心跳成功)'))),
    at('baseinfo', 'public', (request) => request.reply(200, okBody('get baseinfo success(获取成功)！', {
      resultSetExportEnable: true, linkisClusterName: '', engineLogOnlyAdminEnable: false,
    }))),
    at('publicKey', 'public', (request) => request.reply(200, okBody('Gain success(获取成功)！', {
      enableSSL: request.pipeline.config.security.session.secure, enableLoginEncrypt: false,
    }))),
    {
      // Anything else under the user URI is answered too, never forwarded.
      name: 'user/unknown',
      path: /^\/api\/rest_j\/v1\/user(?:\/.*)?$/,
      access: 'public',
      handle: (request) => {
        throw new GatewayError('LG_ERR_USER_UNKNOWN_URI', { path: request.target.path.slice(USER_PREFIX.length) });
      },
    },
  ];
}
