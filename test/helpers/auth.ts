/**
 * Auth fixtures for tests: password users with a cheap scrypt cost (the cost travels in the hash,
 * so the gateway's defaults stay secure), logging in, and reading the session cookie.
 */
import { hashPassword } from '../../core/password-hash.js';
import type { Answer } from './http.js';
import type { TestGateway } from './gateway.js';

export const TICKET_COOKIE = 'linkis_user_session_ticket_id_v1';
export const TEST_SECRET = 'test-session-secret-0123456789-abcdef';
/** Fast enough for tests; never use it elsewhere. */
export const TEST_COST = { logN: 4, r: 1, p: 1 } as const;

export interface TestUser {
  readonly name: string;
  readonly password: string;
  readonly admin?: boolean;
}

/** `- use: password` with these users, as a YAML list item under `security.auth`. */
export async function passwordStrategy(users: readonly TestUser[], extra = ''): Promise<string> {
  const lines = await Promise.all(users.map(async (user) =>
    `          - { name: ${JSON.stringify(user.name)}, passwordHash: ${JSON.stringify(await hashPassword(user.password, TEST_COST))}, admin: ${user.admin === true} }`));
  return `    - use: password\n      options:\n        ${extra ? `${extra}\n        ` : ''}users:\n${lines.join('\n')}\n`;
}

/**
 * A security section: the session strategy, then the given ones (YAML list items). `extra` adds
 * lines under `security:` (indented two spaces); `session` adds flow-map entries (`, ttl: 1s`).
 */
export function securitySection(strategies: string, extra = '', session = ''): string {
  return `security:\n  session: { secret: ${TEST_SECRET}${session} }\n${extra}  auth:\n    - use: session\n${strategies}`;
}

/** `name=value` of the ticket cookie an answer sets, or undefined. */
export function ticketCookie(answer: Answer): string | undefined {
  const header = answer.headers['set-cookie'];
  const all = Array.isArray(header) ? header : header === undefined ? [] : [header];
  const found = all.find((cookie) => cookie.startsWith(`${TICKET_COOKIE}=`) && !cookie.startsWith(`${TICKET_COOKIE}=;`));
  return found?.split(';')[0];
}

export async function login(gw: Pick<TestGateway, 'request'>, user: string, password: string, headers: Record<string, string> = {}): Promise<{ answer: Answer; cookie: string | undefined }> {
  const answer = await gw.request('/api/rest_j/v1/user/login', {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ userName: user, password }),
  });
  return { answer, cookie: ticketCookie(answer) };
}
