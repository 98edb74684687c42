/**
 * An example SSO plugin for the contract of Linkis's SSOInterceptor (getUser, redirectTo,
 * logout). The company's SSO server sets a cookie (`SSO_TOKEN`) on the browser; this plugin asks
 * that server whom the cookie belongs to. Drop it next to gateway.yaml and name it:
 *
 *   security:
 *     auth:
 *       - use: session
 *       - use: ./cookie-sso.js
 *         options: { server: "https://sso.example.com" }
 *
 *   getUser     GET  <server>/validate?token=<cookie>  → 200 {"user": "alice", "admin": false}
 *   redirectTo       <server>/login?service=<the URL the browser asked for>  (sent as data.SSOURL on 401)
 *   logout      POST <server>/logout?token=<cookie>    (on /api/rest_j/v1/user/logout)
 *
 * Answers are cached for `cacheTtl` ms so the SSO server is not asked on every request. If it is
 * down or slow, `getUser` throws and the gateway refuses the request (fail closed).
 */

/** @type {import('labelgate/contracts').AuthManifest<{ server: string, cookie: string, cacheTtl: number, timeout: number }>} */
export default {
  kind: 'auth',
  name: 'cookie-sso',
  version: '1.0.0',
  priority: 0,
  description: 'Browser SSO through a cookie validated by the SSO server',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['server'],
    properties: {
      server: { type: 'string', pattern: '^https?://' },
      cookie: { type: 'string', minLength: 1, default: 'SSO_TOKEN' },
      cacheTtl: { type: 'integer', minimum: 0, default: 30000 },
      timeout: { type: 'integer', minimum: 1, default: 2000 },
    },
  },
  create(options, kit) {
    /** token → { user, until } */
    const cache = new Map();

    async function ask(path, token, method = 'GET') {
      const url = `${options.server}${path}?token=${encodeURIComponent(token)}`;
      return fetch(url, { method, signal: AbortSignal.timeout(options.timeout) });
    }

    return {
      async getUser(request) {
        const token = request.cookies[options.cookie];
        if (!token) return undefined;
        const cached = cache.get(token);
        if (cached && cached.until > Date.now()) return cached.user;
        const answer = await ask('/validate', token);
        if (answer.status === 401 || answer.status === 404) return undefined; // not signed in there
        if (!answer.ok) throw new Error(`SSO server answered ${answer.status}`);
        const body = await answer.json();
        const user = typeof body.user === 'string' ? { user: body.user, admin: body.admin === true } : undefined;
        if (cache.size > 10000) cache.clear();
        cache.set(token, { user, until: Date.now() + options.cacheTtl });
        return user;
      },
      redirectTo(requestUrl) {
        return `${options.server}/login?service=${encodeURIComponent(requestUrl)}`;
      },
      async logout(request) {
        const token = request.cookies[options.cookie];
        if (!token) return;
        cache.delete(token);
        const answer = await ask('/logout', token, 'POST');
        if (!answer.ok) kit.logger.warn({ status: answer.status }, 'SSO logout failed');
      },
    };
  },
};
