/**
 * The admin UI in a real Chromium against a real daemon running the simulated gateway: sign-in
 * (a wrong token refused with the API's message), nothing secret in the browser, the dashboard
 * following the gateway live when it is restarted from the UI and when it is killed from
 * outside, CSRF refusal, sign-out; credentials set write-only, a rejected login with its
 * screenshot and block, then the right password and an authenticated session.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { waitFor } from '../../testkit/wait-for.js';
import { launchBrowser, openPage, screenshot, settled, signIn } from '../helpers/ui-browser.js';
import { startDaemonProcess } from '../helpers/daemon.js';
import { isAlive } from '../helpers/process-table.js';

// Continues baseYaml's gateway section (the last one it writes): samples often, tickles every second.
const YAML = [
  '  resources:',
  '    sampleIntervalMs: 300',
  'session:',
  '  tickleIntervalMs: 1000',
  '  requestTimeoutMs: 800',
  '',
].join('\n');

/** What the dashboard's gateway card says for a key (PID, Last exit …). */
const gatewayValue = (page: Page, key: string) =>
  page.getByRole('region', { name: 'Gateway' }).locator('.kv-row').filter({ has: page.locator('dt', { hasText: new RegExp(`^${key}$`) }) }).locator('dd').innerText();

/** Every state the header's pill showed since this was called (a MutationObserver in the page). */
async function recordStates(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { __states: string[] };
    w.__states = [];
    const pill = () => document.querySelector('.top-state .pill')?.textContent ?? '';
    new MutationObserver(() => {
      const s = pill();
      if (w.__states.at(-1) !== s) w.__states.push(s);
    }).observe(document.querySelector('.top')!, { subtree: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { __states: string[] }).__states);
}

// One daemon (with a vault key, for the credentials test) and one browser for the file.
const ENCRYPTION_KEY = 'c0ffee'.repeat(10) + 'c0ff';
const d = await startDaemonProcess(t, { yaml: YAML, env: { ENCRYPTION_KEY } });
const browser = await launchBrowser(t);

t.test('sign in, follow the gateway live, refuse a change without CSRF, sign out', async (t) => {
  const { page, problems } = await openPage(t, browser);

  await page.goto(`${d.apiUrl}/`);
  t.match(page.url(), /\/ui\/$/, '/ redirects to the UI');
  await page.getByLabel('Admin token').fill('wrong-token-0123456789');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  t.match(await alert.innerText(), /missing or invalid bearer token/, 'the API\'s own message');
  t.equal(await page.getByRole('heading', { name: 'Dashboard' }).count(), 0, 'still signed out');
  await screenshot(page, 'sign-in-refused-desktop');

  const token = d.token();
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  t.equal(await page.evaluate(() => document.cookie), '', 'the session cookie is HttpOnly: scripts cannot read it');
  t.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0, 'nothing in web storage');
  t.notOk((await page.content()).includes(token), 'the token is nowhere in the page');

  // Restart from the UI: the confirmation says what will happen, the dashboard follows.
  const before = (await d.status()).gateway.pid as number;
  await waitFor(async () => (await gatewayValue(page, 'PID')) === String(before), 10_000, 'the dashboard shows the gateway pid');
  await settled(page);
  // Escape cancels a confirmation, and nothing happens.
  await page.getByRole('group', { name: 'Gateway actions' }).getByRole('button', { name: 'Stop' }).click();
  await page.getByRole('dialog', { name: 'Stop the gateway?' }).waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
  t.equal((await d.status()).gateway.state, 'running', 'Escape: the gateway was not stopped');
  const states = await recordStates(page);
  await page.getByRole('group', { name: 'Gateway actions' }).getByRole('button', { name: 'Restart' }).click();
  const dialog = page.getByRole('dialog', { name: 'Restart the gateway?' });
  await dialog.waitFor();
  t.match(await dialog.innerText(), /planned restart.*Apps lose their connection/s, 'the confirmation says what will happen');
  t.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel', 'the safe choice has the focus');
  await screenshot(page, 'confirm-restart-desktop');
  await dialog.getByRole('button', { name: 'Restart' }).click();
  const restarted = await waitFor(async () => {
    const pid = await gatewayValue(page, 'PID');
    return pid !== String(before) && /^\d+$/.test(pid) && (await page.locator('.top-state .pill').innerText()) === 'running' ? Number(pid) : null;
  }, 30_000, 'the dashboard to show the restarted gateway');
  t.equal(restarted, (await d.status()).gateway.pid, 'the pid the daemon reports');
  const seen = await states();
  t.ok(seen.some((s) => s !== 'running'), `the header showed the restart as it happened: ${seen.join(' → ')}`);
  t.match(await gatewayValue(page, 'Restarts \\(this run / all time\\)'), /^1 \/ 1$/);

  // Killed from outside (the whole process group): the dashboard shows the crash and the restart.
  const states2 = await recordStates(page);
  process.kill(-restarted, 'SIGKILL');
  await waitFor(() => !isAlive(restarted), 10_000, 'the gateway killed');
  const third = await waitFor(async () => {
    const pid = await gatewayValue(page, 'PID');
    return pid !== String(restarted) && /^\d+$/.test(pid) && (await page.locator('.top-state .pill').innerText()) === 'running' ? Number(pid) : null;
  }, 30_000, 'the dashboard to show the gateway started again');
  t.equal(third, (await d.status()).gateway.pid);
  t.match(await gatewayValue(page, 'Last exit'), /signal SIGKILL/, 'the last exit: killed');
  t.match(await gatewayValue(page, 'Restarts \\(this run / all time\\)'), /^2 \/ 2$/);
  t.ok((await states2()).length >= 1, `header states: ${(await states2()).join(' → ')}`);

  // The charts fill from the daemon's history: resource samples and tickle latency.
  await waitFor(async () => /\((\d+) samples\)/.test(await page.getByRole('img', { name: /^Gateway CPU over the last hour/ }).getAttribute('aria-label') ?? ''), 20_000, 'CPU samples in the chart');
  await waitFor(async () => /samples\)/.test(await page.getByRole('img', { name: /^Tickle latency/ }).getAttribute('aria-label') ?? ''), 20_000, 'tickle latency in the chart');
  await screenshot(page, 'dashboard-live-desktop');

  // A change sent with the cookie but without the CSRF header is refused, and nothing happens.
  const forged = await page.evaluate(async () => {
    const res = await fetch('/api/v1/gateway/stop', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    return { status: res.status, body: await res.json() };
  });
  t.match(forged, { status: 403, body: { code: 'IBGW_UI_CSRF' } });
  t.equal((await d.status()).gateway.state, 'running', 'the gateway was not stopped');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Admin token').waitFor();
  const after = await page.evaluate(async () => (await fetch('/api/v1/events')).status);
  t.equal(after, 401, 'signed out: the browser has no access left');
  t.same(await problems(), [], 'no CSP violation, no page error');
});

t.test('credentials: write-only, a rejected login with its screenshot, then the right password', async (t) => {
  const { page, problems } = await openPage(t, browser);
  await signIn(page, d.apiUrl, d.token());
  await page.goto(`${d.apiUrl}/ui/#/credentials`);
  await page.getByRole('heading', { level: 1, name: 'Credentials' }).waitFor();
  await settled(page);
  const form = page.getByRole('form', { name: 'Set the IBKR credentials' });
  const wrong = 'not-the-password-9f8e7d';
  await form.locator('#cred-username').fill('demo');
  await form.locator('#cred-password').fill(wrong);
  await form.getByRole('button', { name: 'Save credentials' }).click();
  await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  t.equal(await form.locator('#cred-password').inputValue(), '', 'the password field is emptied after the save');

  // The keeper logs in with them at once; the simulated IBKR rejects the password.
  const logins = page.getByRole('region', { name: 'Logins' });
  await logins.getByText(/^blocked since/).waitFor({ timeout: 60_000 });
  const automated = page.getByRole('region', { name: 'Automated login' });
  await automated.getByText('Invalid username password combination').first().waitFor({ timeout: 20_000 });
  const shot = automated.getByRole('img', { name: /login page as the failed login left it/ });
  await shot.waitFor();
  await waitFor(() => shot.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 10_000, 'the screenshot loaded');
  await screenshot(page, 'credentials-login-rejected-desktop');
  t.notOk((await page.content()).includes(wrong), 'the password is nowhere in the page');

  // The right password: saving it clears the block, and the keeper logs in.
  await form.locator('#cred-password').fill('demo1234');
  await form.getByRole('button', { name: 'Save credentials' }).click();
  await waitFor(async () => (await d.api('GET', '/api/v1/session', { token: null })).body.status.authenticated === true, 60_000, 'the session authenticated');
  await logins.getByText('allowed').waitFor({ timeout: 20_000 });
  const everything = JSON.stringify((await d.api('GET', '/api/v1/events?limit=5000')).body) + JSON.stringify((await d.api('GET', '/api/v1/login')).body);
  t.notOk(everything.includes(wrong) || everything.includes('demo1234'), 'no password in events or the login record');
  t.notOk(d.output().includes(wrong), 'nor in the daemon log');
  await page.goto(`${d.apiUrl}/ui/#/dashboard`);
  await page.getByRole('region', { name: 'IBKR session' }).getByLabel('Session: authenticated').waitFor();
  await settled(page);
  await screenshot(page, 'dashboard-authenticated-desktop');
  t.same(await problems(), []);
});
