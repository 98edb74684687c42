/**
 * A test-only auth plugin (the AuthManifest contract of core/contracts.ts), written into the
 * test gateway's config directory, for tests that are not about authentication:
 * `x-test-user: NAME` (or cookie `test_user=NAME`) authenticates NAME, and `x-test-admin: true`
 * makes that user an admin. Users in `revokedTestUsers()` are refused, which stands in for an
 * ended session.
 */
export const TEST_AUTH_FILE = 'test-auth.js';

export const TEST_AUTH_SOURCE = `export default {
  kind: 'auth', name: 'test-auth', version: '1.0.0', priority: 0, optionsSchema: { type: 'object' },
  create() {
    return {
      authenticate(request) {
        const user = request.headers['x-test-user'] ?? request.cookies.test_user;
        if (typeof user !== 'string' || user === '') return undefined;
        if ((globalThis.__revokedTestUsers ?? new Set()).has(user)) return undefined;
        return { user, admin: request.headers['x-test-admin'] === 'true', via: 'test-auth' };
      },
    };
  },
};
`;

/** YAML lines enabling the plugin; pass `{ files: TEST_AUTH_FILES }` to startGateway. */
export const TEST_AUTH_YAML = `security: { auth: [{ use: ./${TEST_AUTH_FILE} }] }\n`;

export const TEST_AUTH_FILES = { [TEST_AUTH_FILE]: TEST_AUTH_SOURCE };

export const AS_ADMIN = { 'x-test-user': 'hadoop', 'x-test-admin': 'true' };
export const AS_USER = { 'x-test-user': 'alice' };

export function revokedTestUsers(): Set<string> {
  const holder = globalThis as { __revokedTestUsers?: Set<string> };
  holder.__revokedTestUsers ??= new Set();
  return holder.__revokedTestUsers;
}
