import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { backoffDelay } from '../../daemon/backoff-delay.js';
import { ConnectionHistory } from '../../daemon/session/connection-history.js';
import { decide, HangDetector, ladderLevel, type DecisionInput } from '../../daemon/session/ladder.js';
import { LoginBudget } from '../../daemon/session/login-budget.js';
import { PenaltyBox } from '../../daemon/session/penalty-box.js';
import { ProbeSchedule } from '../../daemon/session/probe-schedule.js';
import { RestartGate } from '../../daemon/session/restart-gate.js';
import { parseAuthStatus, parseTickle, reauthRefused } from '../../daemon/session/session-state.js';
import { tempDir } from '../helpers/temp-dir.js';

const HOUR = 3_600_000;


t.test('tickle answers become session readings', async (t) => {
  const now = 1_000_000;
  const r401 = parseTickle(401, 'Unauthorized', now)!;
  t.equal(r401.state, 'no-session');
  const ok = parseTickle(200, {
    session: 'abc', ssoExpires: 560828, collission: false, userId: 159853487, hmds: { error: 'no bridge' },
    iserver: { authStatus: { authenticated: true, competing: false, connected: true, message: '', serverInfo: { serverVersion: 'Build 10.38.1b' } } },
  }, now)!;
  t.match(ok, { state: 'authenticated', authenticated: true, connected: true, competing: false, ssoExpiresMs: 560828, ssoExpiresAt: now + 560828, serverVersion: 'Build 10.38.1b' });
  t.equal(parseTickle(200, { ssoExpires: 1, collission: false, iserver: { authStatus: { authenticated: false, competing: false, connected: false } } }, now)!.state, 'sso-only');
  t.equal(parseTickle(200, { collission: true, iserver: { authStatus: { authenticated: false, competing: false, connected: true } } }, now)!.state, 'competing', "IBKR's misspelled collission key");
  t.equal(parseTickle(200, { iserver: { authStatus: { authenticated: false, competing: true } } }, now)!.state, 'competing');
  const both = parseTickle(200, { collission: true, iserver: { authStatus: { authenticated: true, competing: true } } }, now)!;
  t.equal(both.state, 'authenticated', 'a working session with a competing flag still works');
  t.equal(both.competing, true);
  t.equal(parseTickle(200, 'not json', now)!.state, 'sso-only', 'a 200 without authStatus is not authenticated');
  t.equal(parseTickle(200, {}, now)!.ssoExpiresAt, null);
  t.equal(parseTickle(503, null, now), null);
  t.equal(parseTickle(429, null, now), null);
  t.match(parseAuthStatus({ authenticated: true, competing: false, connected: true, message: '', fail: '' }), { authenticated: true, message: null, fail: null });
  t.equal(reauthRefused({ error: 'not logged in' }), 'not logged in');
  t.equal(reauthRefused({ message: 'triggered' }), null);
});

t.test('backoff grows, caps and jitters within bounds', async (t) => {
  const cfg = { initialMs: 2000, maxMs: 60000, factor: 2, jitter: 0 };
  t.same([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(cfg, n)), [2000, 4000, 8000, 16000, 32000, 60000, 60000]);
  t.equal(backoffDelay(cfg, 0), 2000, 'attempt 0 is treated as the first');
  const j = { ...cfg, jitter: 0.2 };
  t.equal(backoffDelay(j, 1, () => 0), 1600);
  t.equal(backoffDelay(j, 1, () => 1), 2400);
  t.equal(backoffDelay(j, 10, () => 1), 60000, 'the cap holds after jitter');
});

t.test('login budget: rolling hour and day, persisted, blocks survive restarts', async (t) => {
  const dir = tempDir(t, 'ibgw-session-');
  const path = join(dir, 'budget.json');
  let now = Date.parse('2024-07-17T10:59:00Z');
  const b = new LoginBudget({ perDay: 3, perHour: 2, path, now: () => now });
  t.equal(b.check().allowed, true);
  await b.record();
  now += 2 * 60_000; // 11:01 — a new calendar hour, same rolling hour
  await b.record();
  const spent = b.check();
  t.equal(spent.allowed, false);
  t.match(spent.reason, /hourly/);
  t.equal(spent.retryAt, Date.parse('2024-07-17T11:59:00Z'), 'allowed again when the oldest attempt leaves the hour');
  t.equal(spent.usedHour, 2);
  now = Date.parse('2024-07-17T12:00:00Z');
  t.equal(b.check().allowed, true, 'the rolling hour moved on');
  await b.record();
  const daily = b.check();
  t.equal(daily.allowed, false);
  t.match(daily.reason, /daily/);
  t.equal(daily.retryAt, Date.parse('2024-07-18T10:59:00Z'));
  t.equal(statSync(path).mode & 0o777, 0o600);

  // A new daemon (restart) reads the record: a crash loop cannot reset the count.
  const again = new LoginBudget({ perDay: 3, perHour: 2, path, now: () => now });
  t.equal(again.usedToday(), 3);
  t.equal(again.check().allowed, false);
  await again.block('login rejected');
  const third = new LoginBudget({ perDay: 3, perHour: 2, path, now: () => now + 2 * 86_400_000 });
  t.match(third.check(), { allowed: false, retryAt: null });
  t.match(third.check().reason, /blocked: login rejected/);
  t.equal(third.usedToday(), 0, 'attempts older than a day are forgotten');
  await third.clearBlock();
  t.equal(third.check().allowed, true);
  t.same(JSON.parse(readFileSync(path, 'utf8')).blocked, null);
});

t.test('login budget: a corrupt file is reported, not fatal', async (t) => {
  const dir = tempDir(t, 'ibgw-session-');
  const path = join(dir, 'budget.json');
  writeFileSync(path, '{nope');
  const errors: Error[] = [];
  const b = new LoginBudget({ perDay: 1, perHour: 1, path, onError: (e) => errors.push(e) });
  t.equal(errors.length, 1);
  t.equal(b.check().allowed, true);
  const mem = new LoginBudget({ perDay: 1, perHour: 5 });
  await mem.record();
  t.equal(mem.check().allowed, false, 'memory-only budget works the same');
});

t.test('connection history: uptime over day and week, unknown time excluded', async (t) => {
  const dir = tempDir(t, 'ibgw-session-');
  const path = join(dir, 'history.json');
  let now = 0;
  const h = new ConnectionHistory({ path, now: () => now });
  h.record('authenticated', true, 0);
  t.equal(h.record('authenticated', true, 10), false, 'no change, no entry');
  h.record('sso-only', false, 3 * HOUR);
  h.record('authenticated', true, 4 * HOUR);
  now = 10 * HOUR;
  t.equal(h.uptimePercent(24 * HOUR), 90);
  t.equal(h.uptimePercent(7 * HOUR), Math.round((6 / 7) * 10000) / 100, 'only the window counts');
  h.record('stopped', null, 10 * HOUR);
  now = 20 * HOUR;
  t.equal(h.uptimePercent(24 * HOUR), 90, 'time while stopped is unknown, not down');
  t.equal(new ConnectionHistory().uptimePercent(HOUR, 5), null);
  await h.flush();
  now = 30 * HOUR;
  const reloaded = new ConnectionHistory({ path, now: () => now });
  t.equal(reloaded.history().length, 4);
  t.equal(reloaded.uptimePercent(24 * HOUR, 30 * HOUR), 100, 'of the last 24 h only 06:00–10:00 is known, all authenticated');
  t.equal(reloaded.uptimePercent(10 * HOUR, 30 * HOUR), null, 'nothing known in the last 10 h');
  t.equal(reloaded.uptimePercent(7 * 24 * HOUR, 30 * HOUR), 90);
  const bounded = new ConnectionHistory({ maxEntries: 3 });
  for (let i = 0; i < 10; i++) bounded.record(i % 2 ? 'a' : 'b', i % 2 === 0, i);
  t.equal(bounded.history().length, 3);
});

t.test('the ladder decides by rung, and nothing escalates inside a window', async (t) => {
  const reading = (state: 'no-session' | 'sso-only' | 'competing' | 'authenticated') =>
    ({ state, authenticated: state === 'authenticated', connected: true, competing: state === 'competing', ssoExpiresMs: null, ssoExpiresAt: null, message: null, serverVersion: null });
  const base: DecisionInput = {
    outcome: 'ok', reading: reading('sso-only'), config: { competing: 'report', maxRecoveryAttempts: 3 },
    inMaintenance: false, penaltyActive: false, hasLogin: false, loginBlocked: null, budgetSpent: null, attempts: 0,
  };
  t.same(decide({ ...base, reading: reading('authenticated') }), { kind: 'healthy' });
  t.same(decide(base), { kind: 'reauth', compete: false });
  t.match(decide({ ...base, inMaintenance: true }), { kind: 'report', state: 'sso-only', reason: /maintenance/ });
  t.match(decide({ ...base, penaltyActive: true }), { kind: 'report', reason: /penalty/ });
  t.match(decide({ ...base, attempts: 3 }), { kind: 'escalate' });
  t.match(decide({ ...base, attempts: 3, inMaintenance: true }), { kind: 'report' }, 'no escalation inside a window');
  const competing = { ...base, reading: reading('competing') };
  t.match(decide(competing), { kind: 'report', state: 'competing' });
  t.match(decide({ ...competing, attempts: 5 }), { kind: 'report', state: 'competing' }, 'report never escalates');
  t.match(decide({ ...competing, config: { competing: 'wait', maxRecoveryAttempts: 3 } }), { kind: 'wait', state: 'competing' });
  t.same(decide({ ...competing, config: { competing: 'takeover', maxRecoveryAttempts: 3 } }), { kind: 'reauth', compete: true });
  const none = { ...base, outcome: 'unauthorized' as const, reading: reading('no-session') };
  t.match(decide(none), { kind: 'report', state: 'needs-login' });
  t.same(decide({ ...none, hasLogin: true }), { kind: 'login' });
  t.match(decide({ ...none, hasLogin: true, loginBlocked: 'rejected' }), { kind: 'report', state: 'login-blocked' });
  t.match(decide({ ...none, hasLogin: true, budgetSpent: 'daily login budget spent' }), { kind: 'report', state: 'login-budget-spent' });
  t.match(decide({ ...none, hasLogin: true, budgetSpent: 'x', attempts: 9 }), { kind: 'report', state: 'login-budget-spent' }, 'no restart when no login may follow it');
  t.match(decide({ ...none, hasLogin: true, inMaintenance: true }), { kind: 'report', state: 'no-session' }, 'no login inside a window');
  t.match(decide({ ...base, outcome: 'server-error', reading: null }), { kind: 'wait', state: 'gateway-error' });
  t.match(decide({ ...base, outcome: 'access-denied', reading: null }), { kind: 'report', state: 'access-denied' });
  t.match(decide({ ...base, outcome: 'rate-limited', reading: null }), { kind: 'report', state: 'unknown' });
});

t.test('hang detector and ladder levels', async (t) => {
  const h = new HangDetector(2);
  t.equal(h.observe('timeout', 5), 'suspect');
  t.equal(h.observe('network-error', 6), 'unknown', 'a refused connection neither counts nor clears');
  t.equal(h.count, 1);
  t.equal(h.observe('timeout', 7), 'hung');
  t.equal(h.since, 5);
  t.equal(h.observe('server-error', 8), 'answered', 'any HTTP answer proves the web server alive');
  t.equal(h.count, 0);
  t.equal(ladderLevel({ running: false, ready: false, answering: false, authenticated: false }), 0);
  t.equal(ladderLevel({ running: true, ready: false, answering: false, authenticated: false }), 1);
  t.equal(ladderLevel({ running: true, ready: true, answering: false, authenticated: false }), 2);
  t.equal(ladderLevel({ running: true, ready: true, answering: true, authenticated: false }), 3);
  t.equal(ladderLevel({ running: true, ready: true, answering: true, authenticated: true }), 4);
});

t.test('penalty box, restart gate and probe schedule', async (t) => {
  const box = new PenaltyBox(1000);
  t.equal(box.enter(0), true);
  t.equal(box.enter(500), false, 'a 429 inside the box does not extend it');
  t.equal(box.until(500), 1000);
  t.equal(box.active(1000), false);
  t.equal(box.until(1000), null);
  t.equal(box.enter(1200), true);

  const gate = new RestartGate((n) => n * 1000, 5000);
  t.equal(gate.waitBeforeNext(0), 0);
  const p = gate.begin('hang', 0);
  t.equal(gate.settle(true, 10), false, 'the old process still looks ready: not settled');
  t.equal(gate.settle(false, 20), false, 'down');
  t.equal(gate.settle(true, 30), true, 'down, then ready again');
  t.equal(gate.pending, null);
  t.equal(gate.waitBeforeNext(500), 500, 'a second restart waits for the backoff');
  gate.begin('hang again', 1000);
  t.equal(gate.waitBeforeNext(1000), 2000);
  p.resolved = true; // a stale handle changes nothing
  t.equal(gate.settle(true, 1500), false);
  t.equal(gate.settle(true, 6001), true, 'grace elapsed');
  gate.succeeded();
  t.equal(gate.waitBeforeNext(6001), 0);

  let mono = 20;
  const s = new ProbeSchedule({ tickleIntervalMs: 60_000, livenessMs: 5000, suspectMs: 250, tickleGapMs: 1100, authCheckMs: 4000, monotonic: () => mono });
  t.equal(s.tickleDue(0), true);
  s.tickled(0, 20);
  t.equal(s.tickleDue(59_999), false);
  const at = (o: { suspect?: boolean; penalty?: boolean; authCheck?: boolean; wakeAt?: Array<number | null> }) =>
    s.until(100, { suspect: false, penalty: false, authCheck: false, wakeAt: [], ...o });
  t.equal(at({}), 4920, 'next: the liveness probe');
  t.equal(at({ suspect: true }), 170, 'suspect: re-probe at once');
  t.equal(at({ penalty: true }), 59_900, 'penalty box: tickles only');
  t.equal(at({ penalty: true, wakeAt: [3000, null] }), 2900, 'wakes at a window end');
  t.equal(at({ authCheck: true }), 3900, 'authenticated: the auth-status check an interval after the tickle');
  s.tickleSoon(200);
  mono = 200;
  t.equal(s.gapWait(), 920, 'never two tickles within IBKR\'s 1/s (counted on a monotonic clock from the last one\'s end)');
  s.tickled(200, 220);
  t.equal(s.authCheckAt(false), null, 'no check unless asked for (not authenticated, penalty, window)');
  s.authChecked(4200, 4230);
  t.equal(s.authCheckAt(true), 8200, 'the next check an interval after the last');
  t.equal(s.livenessAt(false), 9230, 'an answered check counts as a look at the gateway');
  s.tickled(6000, 6010);
  t.equal(s.authCheckAt(true), 10_000, 'a tickle read the session too: the check waits an interval after it');

  // Which look goes next, in order.
  let m = 0;
  const n = new ProbeSchedule({ tickleIntervalMs: 60_000, livenessMs: 2000, suspectMs: 250, tickleGapMs: 1100, authCheckMs: 5000, monotonic: () => m });
  const look = { suspect: false, penalty: false, authCheck: true, wakeAt: [] };
  n.tickled(0, 10);
  m = 10;
  t.equal(n.next(500, look), 1510, 'nothing due: wait for the liveness probe');
  t.equal(n.next(2010, look), 'liveness');
  t.equal(n.next(5000, look), 'auth-check', 'the check before the liveness probe when both are due');
  t.equal(n.next(300, { ...look, suspect: true }), 'liveness', 'after an unanswered probe: the liveness probe, at once');
  n.tickleSoon(2100);
  m = 500;
  t.equal(n.next(2100, look), 'liveness', 'a tickle held by IBKR\'s 1/s does not hold back a due liveness probe');
  n.probed(2100);
  t.equal(n.next(2150, look), 600, 'nor is the tickle let out early: the gap is waited');
  m = 2000;
  t.equal(n.next(5000, look), 'tickle', 'a due tickle goes first');
  t.equal(n.next(5000, { ...look, penalty: true }), 'tickle', 'in the penalty box: tickles only');
});
