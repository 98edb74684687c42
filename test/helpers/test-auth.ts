/**
 * A test-only auth plugin (the AuthManifest contract of core/contracts.ts), written into the
 * test gateway's config directory: `x-test-user: NAME` authenticates NAME, and
 * `x-test-admin: true` makes that user an admin. Tests of endpoints with `user`/`admin` access
 * use it instead of the real login plugins.
 */
export const TEST_AUTH_FILE = 'test-auth.js';

export const TEST_AUTH_SOURCE = `export default {
  kind: 'auth', name: 'test-auth', version: '1.0.0', priority: 0, optionsSchema: { type: 'object' },
  create() {
    return {
      authenticate(request) {
        const user = request.headers['x-test-user'];
        if (typeof user !== 'string' || user === '') return undefined;
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
