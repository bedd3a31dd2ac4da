/**
 * Every page of the admin UI in a real Chromium against a real daemon: at desktop and phone
 * width (375 px), screenshots kept under test-artifacts/ui/, an axe scan with no serious or
 * critical finding, no CSP violation, nothing wider than the phone. Then the two editors with
 * the most at stake: the allow-list (preview, lockout warnings, apply) and a maintenance window
 * (a field-level error from the API first).
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { waitFor } from '../../testkit/wait-for.js';
import { accessibilityProblems, DESKTOP, launchBrowser, openPage, PHONE, screenshot, settled, signIn } from '../helpers/ui-browser.js';
import { startDaemonProcess } from '../helpers/daemon.js';
import { startWebhookReceiver } from '../helpers/notify-receivers.js';

const PAGES = [
  ['dashboard', 'Dashboard'], ['events', 'Events'], ['logs', 'Gateway logs'], ['maintenance', 'Maintenance'], ['access', 'Access'],
  ['tls', 'TLS'], ['credentials', 'Credentials'], ['notifications', 'Notifications'], ['tokens', 'Tokens'], ['versions', 'Gateway versions'],
] as const;

async function visit(page: Page, base: string, path: string, title: string): Promise<void> {
  await page.goto(`${base}/ui/#/${path}`);
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  await settled(page);
}

/** A date this many days ahead at hh:mm, as a datetime-local input takes it (the browser's zone). */
function localInput(daysAhead: number, hh: number, mm = 0): string {
  const d = new Date(Date.now() + daysAhead * 86_400_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(hh)}:${p(mm)}`;
}

// One daemon (with a webhook channel to a real receiver) and one browser for the whole file;
// each test opens its own browser context.
const receiver = await startWebhookReceiver();
t.teardown(() => receiver.close());
// IBKR's shipped resets kept: the calendar shows them beside the admin's windows.
const d = await startDaemonProcess(t, { ibkrResets: true, yaml: `notifications:\n  channels:\n    - name: ops\n      type: webhook\n      url: ${receiver.url}\n` });
const browser = await launchBrowser(t);

t.test('every page at desktop and phone width: screenshots, axe, CSP', async (t) => {

  for (const [viewport, label] of [[DESKTOP, 'desktop'], [PHONE, 'phone']] as const) {
    const { page, context, problems } = await openPage(t, browser, viewport);
    await signIn(page, d.apiUrl, d.token());
    for (const [path, title] of PAGES) {
      await visit(page, d.apiUrl, path, title);
      await screenshot(page, `${path}-${label}`);
      t.same(await accessibilityProblems(page), [], `${path} at ${label} width: no serious or critical axe finding`);
      if (label === 'phone') {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        t.ok(overflow <= 0, `${path} at 375 px: nothing wider than the screen (${overflow} px over)`);
      }
    }
    t.same(await problems(), [], `${label}: no CSP violation, no page error`);

    if (label === 'phone') {
      // The menu by keyboard alone: open it, move to a page, land on its heading.
      await visit(page, d.apiUrl, 'dashboard', 'Dashboard');
      const menu = page.getByRole('button', { name: 'Menu' });
      await menu.focus();
      await page.keyboard.press('Enter');
      t.equal(await menu.getAttribute('aria-expanded'), 'true', 'the menu opens with Enter');
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Events' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Events' }).waitFor();
      await waitFor(() => page.evaluate(() => document.activeElement?.id === 'page-title'), 5000, 'the focus on the new page\'s heading');
      t.equal(await menu.getAttribute('aria-expanded'), 'false', 'and the menu closes');
      await screenshot(page, 'menu-phone');
    }
    await context.close();
  }
});

t.test('the axe scan finds what it is there to find: a planted unnamed button and image', async (t) => {
  const { page } = await openPage(t, browser);
  await signIn(page, d.apiUrl, d.token());
  await visit(page, d.apiUrl, 'events', 'Events');
  t.same(await accessibilityProblems(page), [], 'clean before');
  await page.evaluate(() => {
    document.querySelector('main')!.append(document.createElement('button'), Object.assign(document.createElement('img'), { src: 'data:,' }));
  });
  const found = await accessibilityProblems(page);
  t.match(found, [/button-name/, /image-alt/], found.join('\n'));
});

t.test('a page asked for right after sign-in, before the UI listens for address changes, is the page shown', async (t) => {
  const { page, context } = await openPage(t, browser);
  // Preact runs effects after the next frame: slow frames (a loaded machine) open the window
  // between the first render and the route's hashchange listener. This makes it 300 ms wide.
  await context.addInitScript(() => {
    const raf = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (cb) => { setTimeout(() => raf(cb), 300); return 0; };
  });
  await signIn(page, d.apiUrl, d.token());
  await page.goto(`${d.apiUrl}/ui/#/maintenance`);
  await page.getByRole('heading', { level: 1, name: 'Maintenance' }).waitFor({ timeout: 5000 });
  t.pass('the Maintenance page, not the Dashboard still');
});

t.test('create a maintenance window: the API\'s field error first, then the window', async (t) => {
  const { page, problems } = await openPage(t, browser);
  await signIn(page, d.apiUrl, d.token());
  await visit(page, d.apiUrl, 'maintenance', 'Maintenance');
  const form = page.getByRole('form', { name: 'New window' });
  await form.locator('#win-title').fill('Quarterly patching');
  await form.locator('#win-action').selectOption('quiet');
  await form.locator('#win-start').fill(localInput(3, 12));
  await form.locator('#win-end').fill(localInput(3, 11));
  await form.getByRole('button', { name: 'Create window' }).click();

  const end = form.locator('#win-end');
  await waitFor(async () => (await end.getAttribute('aria-invalid')) === 'true', 10_000, 'the End field marked invalid');
  t.match(await form.locator('#win-end-error').innerText(), /must be after start/, 'the API\'s problem, under the field it names');
  await waitFor(() => page.evaluate(() => document.activeElement?.id === 'win-end'), 5000, 'the focus on the End field');
  t.equal((await d.api('GET', '/api/v1/maintenance/windows')).body.windows.length, 0, 'nothing was created');
  await screenshot(page, 'maintenance-field-error-desktop');

  await end.fill(localInput(3, 13));
  await form.getByRole('button', { name: 'Create window' }).click();
  const table = page.getByRole('region', { name: 'Maintenance windows' });
  await table.getByRole('cell', { name: 'Quarterly patching', exact: true }).waitFor();
  t.equal(await end.getAttribute('aria-invalid'), null, 'the error is gone');
  const windows = (await d.api('GET', '/api/v1/maintenance/windows')).body.windows;
  t.match(windows, [{ title: 'Quarterly patching', action: 'quiet', schedule: { kind: 'once' } }], 'the daemon has the window');
  await page.locator('.calendar .occ.admin', { hasText: 'Quarterly patching' }).first().waitFor();
  t.ok(await page.locator('.calendar .occ.ibkr').count() > 0, 'IBKR\'s resets in the same calendar, styled apart');
  await screenshot(page, 'maintenance-created-desktop');
  t.same(await problems(), []);
});

t.test('edit the allow-list: preview, the lockout warnings, apply', async (t) => {
  const { page, problems } = await openPage(t, browser);
  await signIn(page, d.apiUrl, d.token());
  await visit(page, d.apiUrl, 'access', 'Access');
  const form = page.getByRole('form', { name: 'Add an entry' });

  // Denying the daemon's (and this browser's) own address: both warnings, nothing applied.
  await form.getByLabel('List').selectOption('deny');
  await form.getByLabel('Address or pattern').fill('127.0.0.1');
  await form.getByRole('button', { name: 'Preview' }).click();
  const lockout = form.getByText('This change would shut out the daemon itself.');
  await lockout.waitFor();
  await form.getByText(/Your own address 127\.0\.0\.1 would be refused by the gateway/).waitFor();
  t.ok(await form.getByRole('button', { name: 'Apply' }).isDisabled(), 'Apply stays off until both are acknowledged');
  await screenshot(page, 'access-lockout-desktop');

  // A CIDR for an office network: translated, previewed as a diff, applied with a restart.
  const before = (await d.status()).gateway.pid as number;
  await form.getByLabel('List').selectOption('allow');
  await form.getByLabel('Address or pattern').fill('10.1.2.0/24');
  await form.getByLabel('Label').fill('office');
  await form.getByRole('button', { name: 'Preview' }).click();
  const diff = form.locator('pre.diff');
  await diff.waitFor();
  const diffText = await diff.innerText();
  t.match(diffText, /^\+\s+- 10\.1\.2\.\*$/m, `the diff adds the translated pattern:\n${diffText}`);
  t.match(await form.innerText(), /10\.1\.2\.0\/24 → 10\.1\.2\.\*/, 'the translation is shown');
  t.equal(await form.getByText('This change would shut out the daemon itself.').count(), 0, 'no lockout warning for this one');
  await screenshot(page, 'access-preview-desktop');
  await form.getByRole('button', { name: 'Apply' }).click();
  const dialog = page.getByRole('dialog');
  t.match(await dialog.innerText(), /gateway restarts/, 'the confirmation says the gateway restarts');
  await dialog.getByRole('button', { name: 'Apply and restart the gateway' }).click();
  const allowed = page.getByRole('region', { name: 'Allowed' });
  await allowed.getByRole('cell', { name: '10.1.2.*', exact: true }).waitFor();
  t.equal(await allowed.getByRole('row').filter({ hasText: '10.1.2.*' }).getByRole('cell', { name: 'office', exact: true }).count(), 1, 'with its label');
  const lists = (await d.api('GET', '/api/v1/access')).body;
  t.ok(lists.allow.some((e: { pattern: string; label: string }) => e.pattern === '10.1.2.*' && e.label === 'office'), 'the daemon has it');
  t.notOk(lists.deny.some((e: { pattern: string }) => e.pattern === '127.0.0.1'), 'the previewed lockout was never applied');
  await d.waitRestarted(before);
  t.same(await problems(), []);
});

t.test('notifications: a test send through a channel, delivered and refused', async (t) => {
  const { page, problems } = await openPage(t, browser);
  await signIn(page, d.apiUrl, d.token());
  await visit(page, d.apiUrl, 'notifications', 'Notifications');
  const row = page.getByRole('region', { name: 'Channels' }).getByRole('row').filter({ hasText: 'ops' });
  await row.getByRole('button', { name: 'Send a test through ops' }).click();
  await row.getByText(/^delivered in \d+ ms$/).waitFor();
  t.equal(receiver.requests.length, 1, 'the receiver got it');
  receiver.answer(500);
  await row.getByRole('button', { name: 'Send a test through ops' }).click();
  await row.getByText(/HTTP 500/).waitFor();
  t.equal(receiver.requests.length, 2);
  await screenshot(page, 'notifications-test-desktop');
  t.same(await problems(), []);
});
