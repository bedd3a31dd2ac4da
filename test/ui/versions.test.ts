/**
 * The gateway versions page against a daemon running kind clientportal from fixture
 * distributions (the real launch path: java with the managed conf first on the classpath):
 * install a zip through the UI, switch to it now, watch it become active with its history.
 */
import { join } from 'node:path';
import t from 'tap';
import { waitFor } from '../../testkit/wait-for.js';
import { accessibilityProblems, launchBrowser, openPage, screenshot, settled, signIn } from '../helpers/ui-browser.js';
import { startDaemonProcess } from '../helpers/daemon.js';
import { distributionDir, distributionZip, fakeJavaEnv } from '../helpers/distributions.js';
import { tempDir } from '../helpers/temp-dir.js';

const A = '20250101000000';
const B = '20250201000000';

t.test('install a gateway version and switch to it from the UI', async (t) => {
  const dir = tempDir(t, 'ibgw-versions-');
  const home = distributionDir(join(dir, 'clientportal.gw'), A, 'sim');
  const zip = distributionZip(join(dir, 'clientportal.gw-b.zip'), B, 'sim');
  const env = fakeJavaEnv(t);
  const yaml = [
    '  kind: clientportal',
    `  home: ${JSON.stringify(home)}`,
    '  env:',
    ...Object.entries(env).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`),
    '',
  ].join('\n');
  const d = await startDaemonProcess(t, { yaml });
  const browser = await launchBrowser(t);
  const { page, problems } = await openPage(t, browser);
  await signIn(page, d.apiUrl, d.token());
  await page.goto(`${d.apiUrl}/ui/#/versions`);
  await page.getByRole('heading', { level: 1, name: 'Gateway versions' }).waitFor();
  await settled(page);
  await page.getByText('None installed: the gateway runs from gateway.home.').waitFor();

  await page.getByLabel(/clientportal.gw zip or folder/).fill(zip);
  await page.getByRole('button', { name: 'Install' }).click();
  await page.getByRole('status').filter({ hasText: `Installed ${B}` }).waitFor();
  const row = page.getByRole('region', { name: 'Installed versions' }).getByRole('row').filter({ hasText: B });
  await row.waitFor();

  const before = (await d.status()).gateway.pid as number;
  await row.getByRole('button', { name: `Switch to ${B} now` }).click();
  const dialog = page.getByRole('dialog', { name: `Switch to ${B} now?` });
  t.match(await dialog.innerText(), /switches back to the current version by itself/, 'the confirmation explains the rollback');
  await dialog.getByRole('button', { name: 'Switch and restart' }).click();
  await waitFor(async () => (await d.api('GET', '/api/v1/gateway/versions')).body.active === B, 60_000, `version ${B} active`);
  await d.waitRestarted(before, 60_000);
  await waitFor(async () => (await row.innerText()).includes('active'), 20_000, 'the page shows it active');
  const history = page.getByRole('region', { name: 'Version history' });
  await history.getByText('gateway.version-switched').waitFor({ timeout: 20_000 });
  t.ok(await history.getByText('gateway.version-installed').count() > 0, 'the install is in the history');
  await screenshot(page, 'versions-switched-desktop');
  t.same(await accessibilityProblems(page), [], 'no serious or critical axe finding with data');
  t.same(await problems(), []);
});
