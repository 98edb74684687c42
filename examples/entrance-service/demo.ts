#!/usr/bin/env node
/**
 * `npm run demo`: a guided tour of label routing, graceful offline and WebSocket multiplexing. Starts a gateway and two
 * example entrances (A tagged route=et1, B untagged), then sends requests through the gateway
 * and prints where each one went. `npm run demo -- --keep` leaves everything running afterwards
 * so you can try the printed curl commands; Ctrl-C stops it. Exits 1 if any request went
 * somewhere the tour did not expect.
 */
import { DemoKit, type Entrance } from './demo-kit.js';

const SUBMIT = '/api/rest_j/v1/entrance/submit';
const job = (route?: string) => ({ executionContent: { code: 'echo hello', runType: 'shell' }, labels: { engineType: 'shell-1', userCreator: 'demo-IDE', ...(route ? { route } : {}) } });
const keep = process.argv.includes('--keep');

const kit = await DemoKit.start((line) => process.stdout.write(`${line}\n`));
const entrances: Entrance[] = [];
try {
  kit.say('labelgate demo: label routing and graceful offline\n');
  kit.say(`gateway ${kit.gateway.url}   admin ${kit.gateway.adminUrl} (embedded Eureka at /eureka/)`);
  const a = await kit.entrance('A', 'et1');
  entrances.push(a);
  const b = await kit.entrance('B', undefined);
  entrances.push(b);
  kit.say(`entrance A ${a.instance}  registered through eureka-js-client with metadata route=et1`);
  kit.say(`entrance B ${b.instance}  registered without a route label\n`);

  kit.say('1. A job without a route label only goes to entrances that carry no route label: always B.');
  let last = await kit.send('POST', SUBMIT, job(), 'B');
  for (let i = 0; i < 2; i++) await kit.send('POST', SUBMIT, job(), 'B');
  const jobOnB: string = last.json.data.execID;

  kit.say('\n2. A job with labels.route=et1 only goes to entrances labelled et1: always A.');
  for (let i = 0; i < 3; i++) last = await kit.send('POST', SUBMIT, job('et1'), 'A');

  kit.say('\n3. A label nobody carries is refused (Linkis error 11011), never sent somewhere random.');
  await kit.send('POST', SUBMIT, job('nope'), 'LG_ERR_ROUTE_NO_LABELLED_INSTANCE');

  kit.say('\n4. Requests about a job carry its exec ID, which names the entrance that runs it: they are pinned there.');
  await kit.send('GET', `/api/rest_j/v1/entrance/${jobOnB}/status`, undefined, 'B');
  await kit.send('GET', `/api/rest_j/v1/entrance/${jobOnB}/progress`, undefined, 'B');

  kit.say(`\n5. Graceful offline: ask B to leave default traffic (?instance= pins the call to B). B re-registers with route=offline.`);
  await kit.send('GET', `/api/rest_j/v1/entrance/operation/label/markoffline?instance=${b.instance}`, undefined, 'B');
  kit.say('   New unlabelled jobs now have no untagged entrance left (B is "offline", A is "et1"): 11011.');
  await kit.send('POST', SUBMIT, job(), 'LG_ERR_ROUTE_NO_LABELLED_INSTANCE');
  kit.say("   …but B's running jobs are still reachable through their exec IDs:");
  await kit.send('GET', `/api/rest_j/v1/entrance/${jobOnB}/log`, undefined, 'B');
  await kit.send('GET', `/api/rest_j/v1/entrance/operation/label/isOnline?instance=${b.instance}`, undefined, 'B');

  kit.say('\n6. Bring B back online: default traffic returns to it.');
  await kit.send('GET', `/api/rest_j/v1/entrance/operation/label/backonline?instance=${b.instance}`, undefined, 'B');
  await kit.send('POST', SUBMIT, job(), 'B');

  kit.say('\n7. Operators can relabel any instance without touching it (label store, persisted in labels.file):');
  kit.say(`   PUT ${kit.gateway.adminUrl}/admin/labels/linkis-cg-entrance/${b.instance} {"route":"et2"}`);
  await fetch(`${kit.gateway.adminUrl}/admin/labels/linkis-cg-entrance/${b.instance}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"route":"et2"}' });
  await kit.send('POST', SUBMIT, job('et2'), 'B');
  await fetch(`${kit.gateway.adminUrl}/admin/labels/linkis-cg-entrance/${b.instance}`, { method: 'DELETE' });

  kit.say('\n8. One WebSocket connection, both entrances: the gateway routes every frame on its own.');
  const socket = await kit.socket();
  const execute = '/api/rest_j/v1/entrance/execute';
  const tagged = await socket.send(execute, job('et1'), 'A');
  await socket.send(execute, job(), 'B');
  await socket.send(`/api/rest_j/v1/entrance/${String(tagged.json.data.execID)}/status`, undefined, 'A');
  await socket.send(`/api/rest_j/v1/entrance/${jobOnB}/progress`, undefined, 'B');
  socket.close();

  kit.say('\n9. Stop B: it deregisters on SIGTERM and the gateway stops routing to it at once.');
  await b.stop();
  await kit.send('POST', SUBMIT, job(), 'LG_ERR_ROUTE_NO_LABELLED_INSTANCE');
  await kit.send('GET', `/api/rest_j/v1/entrance/${jobOnB}/status`, undefined, 'LG_ERR_ROUTE_INSTANCE_NOT_FOUND');

  kit.say(kit.failures === 0 ? '\nEvery request went where label routing says it should.' : `\n${kit.failures} request(s) went somewhere unexpected.`);
  if (keep) {
    kit.say(`\nStill running. Try:\n  curl -s -XPOST ${kit.gateway.url}${SUBMIT} -H 'content-type: application/json' -d '{"labels":{"route":"et1"}}'\n  curl -s ${kit.gateway.adminUrl}/admin/instances\n  curl -s ${kit.gateway.adminUrl}/eureka/apps\nCtrl-C to stop.`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  }
} finally {
  await kit.close(entrances);
}
process.exitCode = kit.failures === 0 ? 0 : 1;
