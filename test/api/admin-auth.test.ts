/**
 * The admin token check under attack. The valid token is never refused — not even from the
 * address a brute force comes from — while failures are slowed, limited (429 + Retry-After),
 * recorded, and a burst of them is one event.
 */
import t from 'tap';
import { AuthFailures, MAX_FAILURE_DELAY_MS } from '../../daemon/api/auth-failures.js';
import { ERR_AUTH_THROTTLED, ERR_UNAUTHORIZED } from '../../daemon/errors.js';
import { Store } from '../../daemon/store/store.js';
import { testConfig } from '../fixtures/gateway/config.js';
import { ADMIN_TOKEN, adminHeaders, buildTestApp } from '../helpers/api-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const guess = (i: number) => ({ authorization: `Bearer ${i.toString(16).padStart(64, '0')}` });

t.test('a brute force from 127.0.0.1 never locks out the valid token from 127.0.0.1', async (t) => {
  const dir = tempDir(t);
  const config = testConfig(dir);
  const store = new Store({ dataDir: dir, maxEvents: 100 });
  await store.open();
  t.teardown(() => store.close());
  const { app, events } = await buildTestApp(t, { config: () => config, store, conf: null }, { maxFailures: 3, failureWindowMs: 60_000, failureDelayMs: 1 });
  const events_ = (type: string) => events.filter((e) => e.type === type);
  const admin = () => app.inject({ method: 'GET', url: '/api/v1/events', headers: adminHeaders });

  const answers: number[] = [];
  for (let i = 0; i < 12; i++) {
    const res = await app.inject({ method: 'GET', url: '/api/v1/events', headers: guess(i) });
    answers.push(res.statusCode);
    if (res.statusCode === 429) {
      t.equal(res.json().code, ERR_AUTH_THROTTLED.code);
      t.ok(Number(res.headers['retry-after']) >= 1 && Number(res.headers['retry-after']) <= 60, `Retry-After ${res.headers['retry-after']} s is within the window`);
    } else t.equal(res.json().code, ERR_UNAUTHORIZED.code);
    if (i % 4 === 3) t.equal((await admin()).statusCode, 200, `the valid token works after ${i + 1} guesses`);
  }
  t.same(answers, [401, 401, 401, 429, 429, 429, 429, 429, 429, 429, 429, 429], 'three failures answered 401, the rest 429');
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/events' })).statusCode, 429, 'no token at all counts as a failure too');
  t.equal((await admin()).statusCode, 200, 'the valid token still works');

  const failures = events_('api.auth.failure');
  t.equal(failures.length, 3, 'every failure answered 401 is an event');
  t.match(failures.map((e) => e.data), [{ ip: '127.0.0.1', reason: 'invalid token', failures: 1 }, { failures: 2 }, { failures: 3 }]);
  const bursts = events_('api.auth.burst');
  t.equal(bursts.length, 1, 'one burst event for the whole burst');
  t.match(bursts[0], { level: 'warn', data: { sources: [{ address: '127.0.0.1', failures: 3 }], failures: 3 } });
  t.notOk(JSON.stringify(events).includes(ADMIN_TOKEN) || JSON.stringify(events).includes(guess(0).authorization.slice(7)), 'no token, valid or guessed, in any event');

  // Another address is limited on its own count, and is part of the same burst.
  const other = await app.inject({ method: 'GET', url: '/api/v1/events', headers: guess(99), remoteAddress: '127.0.0.2' });
  t.equal(other.statusCode, 401);
  t.equal(events_('api.auth.burst').length, 1, 'still one burst');
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/events', headers: adminHeaders, remoteAddress: '127.0.0.2' })).statusCode, 200);
});

t.test('per address: growing delays, a limit with Retry-After, and bursts that begin and end', async (t) => {
  let now = 1_000_000;
  const f = new AuthFailures({ maxFailures: 4, windowMs: 10_000, firstDelayMs: 100, now: () => now });
  const first = [f.fail('a'), f.fail('a'), f.fail('a')];
  t.same(first.map((v) => v.delayMs), [100, 200, 400], 'each failure in the window waits twice as long');
  t.same(first.map((v) => v.limited), [false, false, false]);
  now += 1000;
  const fourth = f.fail('a');
  t.match(fourth, { limited: false, failures: 4, delayMs: 800 });
  t.ok(fourth.burstStarted, 'the fourth failure within the window is a burst');
  t.match(fourth.burstStarted, { failures: 4, sources: [{ address: 'a', failures: 4 }], otherSources: 0 });
  now += 1000;
  const fifth = f.fail('a');
  t.match(fifth, { limited: true, newlyLimited: true, delayMs: 0, burstStarted: null });
  t.equal(fifth.retryAfterMs, 8000, 'until the oldest of the last four leaves the window');
  t.match(f.fail('a'), { limited: true, newlyLimited: false }, 'reported once per stretch');
  t.match(f.fail('b'), { limited: false, delayMs: 100, burstStarted: null }, 'another address: its own count, the same burst');

  now += 9_999;
  t.equal(f.sweep(), null, 'a burst lasts until a whole window passes without failures');
  now += 1;
  const over = f.sweep();
  t.match(over, { failures: 7, limited: 2, sources: [{ address: 'a', failures: 6 }, { address: 'b', failures: 1 }] });
  t.equal(f.size, 0, 'quiet addresses are forgotten');
  t.match(f.fail('a'), { limited: false, delayMs: 100, burstStarted: null }, 'a fresh start');
  for (let i = 0; i < 3; i++) f.fail('c');
  now += 20_000;
  const next = f.fail('c');
  t.ok(next.burstEnded, 'the second burst ended, noticed at the next failure');
  t.equal(next.burstStarted, null);

  const slow = new AuthFailures({ maxFailures: 100, windowMs: 60_000, firstDelayMs: 1000, now: () => now });
  let last = 0;
  for (let i = 0; i < 30; i++) last = slow.fail('x').delayMs;
  t.equal(last, MAX_FAILURE_DELAY_MS, 'the delay is capped');
});
