/**
 * 38: a three-member etcd loses its leader (killed by PID) under two gateways and load: no
 * proxied request fails; Eureka calls are never told to re-register and none hangs past the etcd
 * deadline (a call caught in the election, which can take up to two election timeouts, may answer
 * 503 and the client retries); no registration is lost by a watch; the instance's lease survives.
 */
import t, { type Test } from 'tap';
import { eventually } from '../../helpers/eureka.js';
import type { Answer } from '../../helpers/http.js';
import { loadLoop, tally, type Outcome } from '../../helpers/load-loop.js';
import { ENTRANCE, entranceIds, eurekaCall, registerEntrance, startScaleOut, submit } from '../../helpers/scale-out.js';

const DEADLINE_MS = 2000; // registry.etcd.timeout of the fixture
const { etcd, a, b, upstream } = await startScaleOut(t, 3);

/** Answers of one Eureka call kind: successes, 503s, and nothing else; none slower than the deadline allows. */
function checkEureka(t: Test, what: string, outcomes: readonly Outcome[], ok: number): void {
  const counts = tally(outcomes);
  t.same(Object.keys(counts).filter((status) => status !== String(ok) && status !== '503'), [], `${what}: only ${ok} or 503 (${JSON.stringify(counts)})`);
  t.ok((counts[String(ok)] ?? 0) > 0, `${what}: answered ${ok} after the kill`);
  const slowest = Math.max(...outcomes.map((outcome) => outcome.ms));
  t.ok(slowest < 2 * DEADLINE_MS, `${what}: slowest ${slowest} ms, within the deadline of each etcd call it makes`);
}

t.test('38: killing the etcd leader fails no proxied request and loses no lease or watch event', async (t) => {
  t.equal((await registerEntrance(a, 'e-38', upstream.port, { ttl: 3 })).status, 204);
  await eventually(async () => (await entranceIds(b)).includes('e-38'), 5000, 'B lists it');
  const traffic = loadLoop((round) => submit(round % 2 === 0 ? a : b));
  const heartbeats = loadLoop((round) => eurekaCall(round % 2 === 0 ? a : b, 'PUT', `/eureka/apps/${ENTRANCE.toUpperCase()}/e-38`), 250);
  const registered: string[] = [];
  const registrations = loadLoop(async (round): Promise<Answer> => {
    const answer = await registerEntrance(round % 2 === 0 ? b : a, `e-38-after-${round}`, upstream.port);
    if (answer.status === 204) registered.push(`e-38-after-${round}`);
    return answer;
  }, 250);
  await new Promise((resolve) => setTimeout(resolve, 500));

  const leader = await etcd.leader();
  const killedAt = Date.now();
  await leader.kill();
  // Past the 3 s TTL since the kill: the lease must have been renewed through the surviving members.
  await eventually(() => Date.now() - killedAt > 4500, 10_000, 'a lease period after the kill');
  const [proxied, renewed, added] = await Promise.all([traffic.stop(), heartbeats.stop(), registrations.stop()]);

  t.same(tally(proxied), { 200: proxied.length }, 'not one proxied request failed');
  checkEureka(t, 'heartbeats', renewed.filter((outcome) => outcome.at >= killedAt), 200);
  checkEureka(t, 'registrations', added.filter((outcome) => outcome.at >= killedAt), 204);
  await eventually(async () => {
    const [onA, onB] = [await entranceIds(a), await entranceIds(b)];
    return onA.join() === onB.join() && ['e-38', ...registered].every((id) => onA.includes(id));
  }, 10_000, 'both gateways list every answered registration');
  t.pass(`${registered.length} registrations answered 204 are listed by both gateways`);
});
