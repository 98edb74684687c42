/**
 * The dashboard in headless Chromium (Debian `chromium` driven by playwright-core): it asks for
 * the admin token, lists the instances, and its route-label form changes routing. A screenshot
 * is written to test-output/dashboard.png.
 */
import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { makeTempDir, startGateway, type TestGateway } from '../helpers/gateway.js';
import { repoPath } from '../helpers/paths.js';
import { startUpstream } from '../helpers/upstream.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TOKEN = 'dashboard-test-token-0123456789abcdef';

async function openBrowser(t: Test): Promise<BrowserContext> {
  const profile = await makeTempDir('labelgate-chromium-');
  const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
  t.teardown(async () => {
    await browser.close();
    await rm(profile, { recursive: true, force: true });
  });
  return browser;
}

/** Which upstream answered each of `count` requests. */
async function answeredBy(gw: TestGateway, count: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push(String((await gw.request('/api/rest_j/v1/svc/list')).headers['x-upstream']));
  return names;
}

async function useForm(page: Page, instance: string, button: '#label-set' | '#label-remove', route?: string): Promise<void> {
  await page.selectOption('#label-instance', `svc/${encodeURIComponent(instance)}`);
  if (route !== undefined) await page.fill('#label-route', route);
  await page.click(button);
}

t.test('the dashboard lists the instances and its form sets and removes a route label that routing obeys', { skip: !existsSync(CHROMIUM) && `${CHROMIUM} is not installed (apt-get install chromium)` }, async (t) => {
  const [a, b] = [await startUpstream('a'), await startUpstream('b')];
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const gw = await startGateway(t, `admin: { host: 127.0.0.1, port: 0, token: ${TOKEN} }
registry: { static: [{ app: svc, instances: ["${a.hostPort}", "${b.hostPort}"] }] }
security: { passThrough: ["^/api/"] }
router: { use: label, options: { balance: round-robin, serverList: [svc] } }
parsers: [ { use: rules, options: { rules: [ { name: svc, match: "^/api/rest_j/v1/svc/.+$", application: svc } ] } } ]
`);
  t.same((await answeredBy(gw, 2)).sort(), ['a', 'b'], 'before: both instances take default traffic');

  const browser = await openBrowser(t);
  const page = await browser.newPage();
  await page.goto(`${gw.gateway.adminUrl}/`);
  await page.locator('#auth-state', { hasText: 'needs the admin token' }).waitFor();

  await page.fill('#token', TOKEN);
  await page.click('#token-save');
  const rows = page.locator('#instances tbody tr');
  await rows.filter({ hasText: a.hostPort }).waitFor();
  await rows.filter({ hasText: b.hostPort }).waitFor();
  t.equal(await rows.count(), 2, 'both instances listed');
  t.match(await rows.first().textContent(), /svc.*UP.*static/);
  await page.locator('#config-version', { hasText: 'config v1' }).waitFor();

  await useForm(page, a.hostPort, '#label-set', 'offline');
  await page.locator('#label-result', { hasText: `route=offline set on svc ${a.hostPort}` }).waitFor();
  t.same(await answeredBy(gw, 4), ['b', 'b', 'b', 'b'], 'route=offline takes instance a out of default traffic');
  await rows.filter({ hasText: 'route=offline' }).filter({ hasText: a.hostPort }).waitFor();
  await page.locator('#traffic tbody tr', { hasText: 'svc' }).waitFor();
  await mkdir(repoPath('test-output'), { recursive: true });
  await page.screenshot({ path: repoPath('test-output/dashboard.png'), fullPage: true });
  t.ok(existsSync(repoPath('test-output/dashboard.png')), 'screenshot written');

  await useForm(page, a.hostPort, '#label-remove');
  await page.locator('#label-result', { hasText: `route label removed from svc ${a.hostPort}` }).waitFor();
  t.same((await answeredBy(gw, 2)).sort(), ['a', 'b'], 'after removal: both instances again');

  await gw.writeConfig('server: { colour: blue }\n');
  t.equal((await gw.gateway.reload()).ok, false);
  await page.locator('#reload-error-text', { hasText: 'LG_ERR_CONFIG_SCHEMA' }).waitFor();
  t.ok(await page.locator('#reload-error').isVisible(), 'a refused reload is shown, with the config still v1');
  t.match(await page.locator('#config-version').textContent(), /config v1/);
});

t.test('with a wrong token the page says so and shows no data', { skip: !existsSync(CHROMIUM) && `${CHROMIUM} is not installed` }, async (t) => {
  const gw = await startGateway(t, `admin: { host: 127.0.0.1, port: 0, token: ${TOKEN} }
registry: { static: [{ app: svc, instances: ["10.0.0.1:1"] }] }
`);
  const browser = await openBrowser(t);
  const page = await browser.newPage();
  await page.goto(`${gw.gateway.adminUrl}/`);
  await page.fill('#token', 'wrong');
  await page.click('#token-save');
  await page.locator('#auth-state', { hasText: 'needs the admin token' }).waitFor();
  t.equal(await page.locator('#instances tbody tr').count(), 0, 'no data shown');
});
