/**
 * The simulated login page in a real headless Chromium: rendered by its script, IBKR's ids and
 * classes, the paper/live switch, the error and loading blocks, the push notification step
 * (approved or denied only through the control channel, or left to expire) and the
 * authenticator-code form, each ending on `Client login succeeds` or IBKR's words.
 */
import t from 'tap';
import type { BrowserContext, Page } from 'playwright-core';
import { startBrowser } from '../helpers/browser.js';
import { startSim, type Sim } from '../helpers/sim.js';
import { waitFor } from '../../testkit/wait-for.js';

const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const users = [
  { username: 'demo', password: 'demo1234', accounts: ['DU1234567'], paper: true, twoFactor: 'none' },
  { username: 'push', password: 'pw-push', accounts: ['U7654321'], paper: false, twoFactor: 'push' },
  { username: 'totp', password: 'pw-totp', accounts: ['U1111111'], paper: false, twoFactor: 'totp', totpSecret: TOTP_SECRET },
];
const simConfig = { users, secondFactorTimeoutMs: 2000, rateLimits: { globalPerSec: 0, perEndpoint: { '/tickle': null } } };

let sim: Sim;
let browser: BrowserContext;
t.before(async () => {
  sim = await startSim(t, { simConfig, conf: { authDelay: 50 } });
  browser = await startBrowser(t, sim);
});

async function openLogin(t: { teardown(fn: () => unknown): void }): Promise<Page> {
  const page = await browser.newPage();
  t.teardown(() => page.close());
  await page.goto(`${sim.baseUrl}/`);
  await page.locator('#xyz-field-username').waitFor({ state: 'visible' });
  return page;
}

async function submitCredentials(page: Page, username: string, password: string): Promise<void> {
  await page.fill('#xyz-field-username', username);
  await page.fill('#xyz-field-password', password);
  await page.click('form.xyzform-username button[type="submit"]');
}

const errorText = (page: Page) => page.locator('.xyzblock.xyzblock-error .xyz-errormessage');
const authenticated = async () => (await sim.request('POST', '/v1/api/iserver/auth/status')).status === 200;

t.test('the form exists only once the script has run, with IBKR\'s ids and classes', async (t) => {
  const page = await openLogin(t);
  t.match(page.url(), /\/sso\/Login\?forwardTo=22&RL=1&ip2loc=US$/);
  const username = page.locator('#xyz-field-username');
  t.equal(await username.getAttribute('name'), 'username');
  t.equal(await username.getAttribute('placeholder'), 'Username');
  t.equal(await page.locator('#xyz-field-password').getAttribute('type'), 'password');
  t.equal(await page.locator('#toggle1').getAttribute('type'), 'checkbox');
  t.ok(await page.locator('label[for="toggle1"]').isVisible());
  const submit = page.locator('form.xyzform-username .xyzblock-username-submit button[type="submit"].btn.btn-lg.btn-primary');
  t.equal(await submit.count(), 1);
  t.notOk(await page.locator('.xyzblock.xyzblock-error').isVisible());
  t.notOk(await page.locator('.xyzblock.xyzblock-loading').isVisible());

  const noScript = await startBrowser(t, sim, { javaScriptEnabled: false });
  const bare = await noScript.newPage();
  await bare.goto(`${sim.baseUrl}/`);
  t.equal(await bare.locator('input, form, button').count(), 0, 'without JavaScript there is nothing to fill in');
});

t.test('a wrong password: loading overlay, then IBKR\'s error text in the error block', async (t) => {
  const page = await openLogin(t);
  await sim.control('/fault/slow', { ms: 600 });
  t.teardown(() => sim.control('/fault/slow', { ms: 0 }));
  await submitCredentials(page, 'demo', 'wrong');
  await page.locator('.xyzblock.xyzblock-loading').waitFor({ state: 'visible' });
  await errorText(page).waitFor({ state: 'visible' });
  t.equal(await errorText(page).textContent(), 'Invalid username password combination');
  t.notOk(await page.locator('.xyzblock.xyzblock-loading').isVisible(), 'the overlay is gone with the answer');
  t.same((await sim.control('/state')).failedLogins, { demo: 1 });
});

t.test('the paper/live switch is flipped through its label; the page ends on Client login succeeds', async (t) => {
  const page = await openLogin(t);
  t.notOk(await page.isChecked('#toggle1'), 'live by default');
  await submitCredentials(page, 'demo', 'demo1234');
  await errorText(page).waitFor({ state: 'visible' });
  t.equal(await errorText(page).textContent(), 'Invalid username password combination', 'a paper user logging in as live');
  await page.click('label[for="toggle1"]');
  t.ok(await page.isChecked('#toggle1'));
  await page.click('form.xyzform-username button[type="submit"]');
  await page.waitForURL(/\/sso\/Dispatcher/);
  t.equal((await page.locator('body').innerText()).trim(), 'Client login succeeds');
  await waitFor(authenticated, 5000, 'the session');
});

t.test('push: a notification step with no button; approval comes from the device', async (t) => {
  const page = await openLogin(t);
  await submitCredentials(page, 'push', 'pw-push');
  const step = page.locator('.login-step-notification');
  await step.waitFor({ state: 'visible' });
  t.match(await step.locator('.xyzblock-manualibkey').innerText(), /notification has been sent/);
  t.equal(await page.locator('select.xyz-multipleselect option:checked').textContent(), 'IB Key');
  t.equal(await page.locator('button:visible').count(), 0, 'nothing on the page can approve it');
  await waitFor(async () => (await sim.control('/state')).pendingPushes.length === 1, 5000, 'the push');
  await sim.control('/session/approve', { username: 'push' });
  await page.waitForURL(/\/sso\/Dispatcher/);
  t.equal((await page.locator('body').innerText()).trim(), 'Client login succeeds');
});

t.test('push: a denial, and an unanswered push that times out, end with IBKR\'s words', async (t) => {
  const page = await openLogin(t);
  await submitCredentials(page, 'push', 'pw-push');
  await page.locator('.login-step-notification').waitFor({ state: 'visible' });
  await sim.control('/session/deny', {});
  await errorText(page).waitFor({ state: 'visible' });
  t.match(await errorText(page).textContent(), /denied/);
  t.ok(await page.locator('#xyz-field-username').isVisible(), 'back to the credentials');

  await page.click('form.xyzform-username button[type="submit"]');
  await page.locator('.login-step-notification').waitFor({ state: 'visible' });
  await errorText(page).waitFor({ state: 'visible', timeout: 10_000 });
  t.equal(await errorText(page).textContent(), 'Your login request expired. Please log in again.');
  t.notOk(await page.locator('.login-step-notification').isVisible());
});

t.test('totp: the silver form takes the code; a wrong one may be retried', async (t) => {
  const { TOTP, Secret } = await import('otpauth');
  const totp = new TOTP({ secret: Secret.fromBase32(TOTP_SECRET), digits: 6, period: 30, algorithm: 'SHA1' });
  const page = await openLogin(t);
  await submitCredentials(page, 'totp', 'pw-totp');
  const field = page.locator('form.xyzform-silver #xyz-field-silver-response');
  await field.waitFor({ state: 'visible' });
  t.equal(await page.locator('select.xyz-multipleselect option:checked').textContent(), 'Mobile Authenticator App');
  t.notOk(await page.locator('.login-step-notification').isVisible());
  const right = totp.generate();
  await field.fill(String((Number(right) + 500_000) % 1_000_000).padStart(6, '0'));
  await field.press('Enter');
  await errorText(page).waitFor({ state: 'visible' });
  t.match(await errorText(page).textContent(), /Invalid security code/);
  t.ok(await field.isVisible(), 'the prompt stays open');
  await field.fill(totp.generate());
  await page.click('form.xyzform-silver button[type="submit"]');
  await page.waitForURL(/\/sso\/Dispatcher/);
  t.equal((await page.locator('body').innerText()).trim(), 'Client login succeeds');
});
