/** The store factory's wiring of gateway.yaml: self-preservation settings, labels.file relative to the config file. */
import t from 'tap';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startGateway } from '../../helpers/gateway.js';
import { eureka, registeredInstances, register, registration } from '../../helpers/eureka.js';

t.test('16: with registry.eureka.selfPreservation, 3 silent instances out of 4 outlive their 2-second leases', async (t) => {
  const gw = await startGateway(t, 'registry: { eureka: { selfPreservation: true, renewalWindow: 2s, expectedRenewInterval: 1s, evictionInterval: 200ms } }\n');
  for (const id of ['a', 'b', 'c', 'd']) await register(gw, 'foo', registration('foo', id, 9000, { leaseInfo: { durationInSecs: 2 } }));
  const deadline = Date.now() + 4000;
  while (Date.now() < deadline) {
    t.equal((await eureka(gw, 'PUT', '/eureka/apps/FOO/a')).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  t.same((await registeredInstances(gw)).map((i) => i.instanceId).sort(), ['a', 'b', 'c', 'd'], '4 renewals per window ≤ threshold 6: nothing expires');
});

t.test('labels.file is resolved against the config file\'s directory', async (t) => {
  const gw = await startGateway(t, 'labels: { file: ./state/labels.json }\n');
  await gw.admin('/admin/labels/svc/10.0.0.1:1', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"route": "a"}' });
  const saved = JSON.parse(await readFile(path.join(gw.dir, 'state', 'labels.json'), 'utf8'));
  t.match(saved, { labels: [{ app: 'svc', instance: '10.0.0.1:1', labels: { route: 'a' } }] });
});
