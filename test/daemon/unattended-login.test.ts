import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { startDaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../../testkit/wait-for.js';

/** Live processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).filter((n) => {
    try { return readFileSync(`/proc/${n}/cmdline`, 'utf8').includes(text); } catch { return false; }
  }).map(Number);
}

t.test('credentials stored through the API: the daemon logs in by itself, and Chromium is gone after', async (t) => {
  const key = randomBytes(32).toString('hex');
  const d = await startDaemonProcess(t, { env: { ENCRYPTION_KEY: key } });
  await waitFor(async () => (await d.status()).session?.state === 'needs-login', 30_000, 'needs-login without credentials');

  const put = await d.api('PUT', '/api/v1/credentials', { body: { username: 'demo', password: 'demo1234', mode: 'paper' } });
  t.equal(put.status, 200, JSON.stringify(put.body));
  t.notMatch(JSON.stringify(put.body), /demo1234/, 'the password is write-only');

  const s = await waitFor(async () => {
    const st = await d.status();
    return st.session?.state === 'authenticated' ? st : null;
  }, 90_000, 'an unattended login');
  t.ok(s.session.authenticated);
  const types = (await d.api('GET', '/api/v1/events?limit=500')).body.events.map((e: { type: string }) => e.type);
  t.ok(types.includes('login.succeeded'), 'login.succeeded recorded');
  t.equal((await d.api('GET', '/readyz', { token: null })).status, 200);
  await waitFor(() => processesMentioning(`${d.dataDir}/login`).length === 0, 10_000, 'no browser process of the attempt left');
  t.notMatch(d.output(), /demo1234/, 'the password is in no log line');
  t.notMatch(d.output(), new RegExp(key), 'nor the key');
});
