import t from 'tap';
import { MemorySessionStore } from '../../../core/session/session-store.js';
import { Sessions, ticketDigest } from '../../../core/session/sessions.js';

const SETTINGS = { cookie: 'linkis_user_session_ticket_id_v1', ttl: 10_000, secret: 's'.repeat(32), secure: false };

function setup(t: { teardown(fn: () => unknown): void }) {
  const clock = { now: 1_000_000 };
  const store = new MemorySessionStore(60_000, () => clock.now);
  const sessions = new Sessions(store, SETTINGS, () => clock.now);
  t.teardown(() => store.close());
  return { clock, store, sessions };
}

t.test('an issued ticket verifies to its principal; the store keeps a digest, never the ticket', async (t) => {
  const { sessions, store } = setup(t);
  const ticket = await sessions.issue({ user: 'hadoop', admin: true, via: 'password' });
  t.same(await sessions.verify(ticket), { user: 'hadoop', admin: true, via: 'password', ticket });
  t.ok(await store.get(ticketDigest(ticket)));
  t.equal(await store.get(ticket), undefined);
});

t.test('a well-formed ticket with no session in the store is refused (Linkis vuln C)', async (t) => {
  const { sessions, store } = setup(t);
  const ticket = await sessions.issue({ user: 'hadoop', admin: false, via: 'password' });
  await store.delete(ticketDigest(ticket));
  t.equal(await sessions.verify(ticket), undefined);
  t.equal(await sessions.verify(sessions.upstreamTicket('hadoop')), undefined, 'tickets minted for upstreams do not log in');
});

t.test('a session idle for the TTL expires; activity past half the TTL extends it', async (t) => {
  const { sessions, clock } = setup(t);
  const ticket = await sessions.issue({ user: 'u', admin: false, via: 'password' });
  clock.now += 4_000;
  t.ok(await sessions.verify(ticket), 'before half: valid, not refreshed');
  clock.now += 2_000; // 6 s after login: past half, refreshed to now
  t.ok(await sessions.verify(ticket));
  clock.now += 9_000; // 15 s after login, 9 s idle: alive only because of the refresh
  t.ok(await sessions.verify(ticket), 'extended by the refresh');
  clock.now += 10_000;
  t.equal(await sessions.verify(ticket), undefined, 'idle for the whole TTL');
});

t.test('activity before half the TTL does not extend the session', async (t) => {
  const { sessions, clock } = setup(t);
  const ticket = await sessions.issue({ user: 'u', admin: false, via: 'password' });
  clock.now += 4_000;
  t.ok(await sessions.verify(ticket));
  clock.now += 6_000; // 10 s after login, 10 s since the last refresh
  t.equal(await sessions.verify(ticket), undefined);
});

t.test('revoke ends a session; a new secret invalidates every ticket', async (t) => {
  const { sessions } = setup(t);
  const first = await sessions.issue({ user: 'u', admin: false, via: 'password' });
  const second = await sessions.issue({ user: 'u', admin: false, via: 'password' });
  await sessions.revoke(first);
  t.equal(await sessions.verify(first), undefined);
  t.ok(await sessions.verify(second), 'only that session');
  sessions.apply({ ...SETTINGS, secret: 't'.repeat(32) });
  t.equal(await sessions.verify(second), undefined);
});

t.test('cookies are HttpOnly, SameSite=Lax, Path=/, without Max-Age; Secure when configured', async (t) => {
  const { sessions } = setup(t);
  t.equal(sessions.setCookie('abc'), 'linkis_user_session_ticket_id_v1=abc; Path=/; HttpOnly; SameSite=Lax');
  sessions.apply({ ...SETTINGS, secure: true });
  t.match(sessions.setCookie('abc'), /; Secure$/);
  t.match(sessions.clearCookies()[0], /^linkis_user_session_ticket_id_v1=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax; Secure$/);
  t.match(sessions.clearCookies()[1], /^linkis_user_session_proxy_ticket_id_v1=;/);
});

t.test('the memory store forgets expired sessions when it sweeps', async (t) => {
  const { sessions, store, clock } = setup(t);
  await sessions.issue({ user: 'u', admin: false, via: 'password' });
  t.equal(store.size, 1);
  clock.now += 10_001;
  store.sweep();
  t.equal(store.size, 0);
});

t.test('the memory store keeps at most maxSessions, forgetting the one used longest ago', async (t) => {
  const clock = { now: 1_000_000 };
  const store = new MemorySessionStore(60_000, () => clock.now, 3);
  const sessions = new Sessions(store, SETTINGS, () => clock.now);
  t.teardown(() => store.close());
  const tickets = [];
  for (let i = 0; i < 3; i++) tickets.push(await sessions.issue({ user: `u${i}`, admin: false, via: 'password' }));
  t.ok(await sessions.verify(tickets[0]!), 'reading a session makes it recent');
  tickets.push(await sessions.issue({ user: 'u3', admin: false, via: 'password' }));
  t.equal(store.size, 3);
  t.equal(await sessions.verify(tickets[1]!), undefined, 'u1, used longest ago, is forgotten');
  for (const i of [0, 2, 3]) t.ok(await sessions.verify(tickets[i]!), `u${i} stays`);
  for (let i = 0; i < 1000; i++) await sessions.issue({ user: `flood${i}`, admin: false, via: 'password' });
  t.equal(store.size, 3, 'a login loop never grows the store');
});
