/** Sessions in etcd, shared by two stores (two gateways) on a real single-member etcd. */
import t, { type Test } from 'tap';
import { EtcdConnection } from '../../../core/etcd/connection.js';
import { createLogger } from '../../../core/logger.js';
import { EtcdSessionStore } from '../../../core/session/etcd-session-store.js';
import type { SessionRecord } from '../../../core/session/session-store.js';
import { startEtcd } from '../../helpers/etcd.js';
import { eventually } from '../../helpers/eureka.js';

const silent = createLogger('silent');
const etcd = await startEtcd(t);
let prefixes = 0;

async function pair(t: Test): Promise<{ a: EtcdSessionStore; b: EtcdSessionStore; connection: EtcdConnection }> {
  const prefix = `/sessions-test-${prefixes++}/`;
  const connections = [0, 1].map(() => new EtcdConnection({ endpoints: etcd.endpoints, prefix, timeout: 2000 }, silent));
  const [a, b] = connections.map((connection) => new EtcdSessionStore(connection, silent));
  await Promise.all([a!.start(), b!.start()]);
  t.teardown(async () => {
    await Promise.all([a!.close(), b!.close()]);
    for (const connection of connections) connection.close();
  });
  return { a: a!, b: b!, connection: connections[0]! };
}

const record = (user: string, at = Date.now()): SessionRecord => ({ user, admin: false, via: 'password', createdAt: at, lastAccess: at });

t.test('a session written through one gateway is read through the other', async (t) => {
  const { a, b } = await pair(t);
  t.ok(a.synced && b.synced);
  await a.put('digest-1', record('alice'), Date.now() + 60_000);
  t.equal((await b.get('digest-1'))?.user, 'alice', 'found at once, even before the watch delivers it');
  await b.delete('digest-1');
  await eventually(async () => (await a.get('digest-1')) === undefined, 5000, 'logout seen by the other gateway');
});

t.test('a session lives under a lease of its remaining TTL, so etcd forgets it', async (t) => {
  const { a, b, connection } = await pair(t);
  await a.put('short', record('bob'), Date.now() + 2000);
  const { kv } = await connection.get('test', connection.keys.session('short'));
  const lease = await connection.client.leaseClient.leaseTimeToLive({ ID: String(kv!.lease) });
  t.equal(Number(lease.grantedTTL), 2);
  await eventually(async () => (await connection.get('test', connection.keys.session('short'))).kv === undefined, 10_000, 'key gone with its lease');
  t.equal(await b.get('short'), undefined);
});

t.test('a refresh moves the session to a new lease and revokes the old one', async (t) => {
  const { a, b, connection } = await pair(t);
  await a.put('s', record('carol'), Date.now() + 60_000);
  const first = (await connection.get('test', connection.keys.session('s'))).kv!;
  const refreshedAt = Date.now() + 1;
  await b.put('s', { ...record('carol'), lastAccess: refreshedAt }, Date.now() + 120_000);
  const second = (await connection.get('test', connection.keys.session('s'))).kv!;
  t.not(String(second.lease), String(first.lease));
  await eventually(async () => Number((await connection.client.leaseClient.leaseTimeToLive({ ID: String(first.lease) })).TTL) === -1, 5000, 'old lease revoked');
  await eventually(async () => (await a.get('s'))?.lastAccess === refreshedAt, 5000, 'the other gateway sees the refresh');
});

t.test('known sessions keep working while etcd is stopped; new logins answer 503', async (t) => {
  const { a, b } = await pair(t);
  await a.put('known', record('dave'), Date.now() + 60_000);
  await eventually(async () => (await b.get('known')) !== undefined, 5000, 'B has it');
  const member = etcd.members[0]!;
  await member.stop();
  t.teardown(() => (member.pid === undefined ? member.restart() : undefined));
  t.equal((await b.get('known'))?.user, 'dave', 'served from the local copy');
  await t.rejects(a.put('new', record('erin'), Date.now() + 60_000), { code: 'LG_ERR_SESSION_STORE_UNAVAILABLE', httpStatus: 503 });
  await t.rejects(b.get('never-seen'), { code: 'LG_ERR_SESSION_STORE_UNAVAILABLE' }, 'an unknown session is not silently "logged out"');
  await member.restart();
  await eventually(async () => (await a.put('new', record('erin'), Date.now() + 60_000).then(() => true, () => false)), 15_000, 'logins work again');
  await eventually(async () => (await b.get('new').catch(() => undefined))?.user === 'erin', 15_000, 'and are shared again');
});

t.test('the cluster keeps at most maxSessions: past it the session used longest ago is deleted for every gateway', async (t) => {
  const prefix = `/sessions-test-${prefixes++}/`;
  const connections = [0, 1].map(() => new EtcdConnection({ endpoints: etcd.endpoints, prefix, timeout: 2000 }, silent));
  const [a, b] = connections.map((connection) => new EtcdSessionStore(connection, silent, Date.now, 2));
  await Promise.all([a!.start(), b!.start()]);
  t.teardown(async () => {
    await Promise.all([a!.close(), b!.close()]);
    for (const connection of connections) connection.close();
  });
  const now = Date.now();
  await a!.put('old', record('alice', now - 3000), now + 60_000);
  await a!.put('mid', record('bob', now - 2000), now + 60_000);
  await eventually(async () => b!.size === 2, 5000, 'the other gateway mirrors both');
  await b!.put('new', record('carol', now), now + 60_000);
  t.equal(await b!.get('old'), undefined, 'the least recently used session is gone');
  await eventually(async () => a!.size === 2 && (await a!.get('old')) === undefined, 5000, 'and gone for the first gateway too');
  t.equal((await a!.get('mid'))?.user, 'bob');
  t.equal((await a!.get('new'))?.user, 'carol');
});
