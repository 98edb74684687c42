/**
 * A tiny auth plugin for tests that are not about authentication: `x-test-user` header or
 * `test_user` cookie is the user (`admin` is an admin). Users listed in
 * `globalThis.__revokedTestUsers` are refused, which stands in for an expired session.
 * Write it next to the test config: `files: { 'test-auth.js': TEST_AUTH_PLUGIN }`.
 */
export const TEST_AUTH_PLUGIN = `export default {
  kind: 'auth', name: 'test-auth', version: '1.0.0', priority: 0, optionsSchema: { type: 'object' },
  create() {
    return {
      authenticate(request) {
        const user = request.headers['x-test-user'] ?? request.cookies.test_user;
        if (!user) return undefined;
        if ((globalThis.__revokedTestUsers ?? new Set()).has(user)) return undefined;
        return { user, admin: user === 'admin', via: 'test-auth' };
      },
    };
  },
};
`;

export const TEST_AUTH_CONFIG = 'security:\n  auth: [ { use: ./test-auth.js } ]\n';

export function revokedTestUsers(): Set<string> {
  const holder = globalThis as { __revokedTestUsers?: Set<string> };
  holder.__revokedTestUsers ??= new Set();
  return holder.__revokedTestUsers;
}
