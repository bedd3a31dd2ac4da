/**
 * A gateway that exits during IBKR's daily reset comes back ready and authenticated with one
 * login, no more. The supervisor restarts the process at once (that costs no login); inside the
 * window the keeper does not log in or escalate (IBKR is resetting: a login there is wasted at
 * best, and repeated failures lock accounts); after it, exactly one login through the real login
 * page, counted three ways: the login function, the login budget, the simulator's own counter.
 *
 * The keeper's clock is set inside a real reset window the calendar computes, far from its
 * end, then moved past the end once the crash and the restart are over.
 */
import t from 'tap';
import { MaintenanceCalendar } from '../../daemon/maintenance/calendar.js';
import { IbkrResetSource } from '../../daemon/maintenance/ibkr-resets.js';
import type { LoginFunction } from '../../daemon/session/recovery.js';
import { cpHarness, type CpHarness } from '../helpers/cp-harness.js';
import { waitFor } from '../../testkit/wait-for.js';

t.test('a crash inside the daily reset window: restarted at once, one login after the window', async (t) => {
  const calendar = new MaintenanceCalendar([new IbkrResetSource({ region: 'north-america', daily: { start: '23:45', durationMin: 90 }, weekly: null })]);
  const window = calendar.next(Date.now())!;
  // An hour before the window's end; then, when the test says so, just past it.
  let offset = window.end - 3_600_000 - Date.now();
  const now = (): number => Date.now() + offset;

  const late: { h?: CpHarness } = {};
  let logins = 0;
  // Through the login page's own requests, as the browser driver makes them. Two generations of
  // the simulated page: the script-rendered one (POST /sso/api/login, then the Dispatcher link)
  // and the older plain form (POST /sso/Login).
  const login: LoginFunction = async () => {
    logins++;
    const h = late.h!;
    const body = JSON.stringify({ username: 'demo', password: 'demo1234', mode: 'paper' });
    const headers = { 'content-type': 'application/json' };
    const api = await h.request('POST', '/sso/api/login', { body, headers });
    if (api.status !== 404) {
      const next = api.status === 200 ? (JSON.parse(api.body) as { status: string; next?: string }) : null;
      if (next?.status !== 'authenticated' || !next.next) return 'failed';
      return (await h.request('GET', next.next)).body.includes('Client login succeeds') ? 'ok' : 'failed';
    }
    const form = await h.request('POST', '/sso/Login', { body, headers });
    return form.status === 200 && form.body.includes('Client login succeeds') ? 'ok' : 'failed';
  };
  const h = await cpHarness(t, { calendar, now, login, session: { loginBudget: { perDay: 5, perHour: 5 } } });
  late.h = h;

  // Authenticated before the crash (a login made before the window, not counted here).
  await h.control('/session/login', { username: 'demo', immediate: true });
  await h.waitSession('authenticated');
  t.equal(h.keeper.status().inMaintenance, true, 'the keeper is inside the reset window');

  const first = h.sup.status().pid!;
  await h.control('/fault/crash', { code: 1 });
  await waitFor(() => h.sup.status().state === 'running' && h.sup.status().pid !== first, 20_000, 'the supervisor restarted the gateway');
  t.ok(h.transitions.some((e) => e.to === 'backoff' && e.code === 'IBGW_GATEWAY_EXITED'), 'a crash, restarted by the supervisor');
  // The new process has no session; inside the window that is expected, not acted on.
  await waitFor(() => h.keeper.status().state === 'no-session', 20_000, `the lost session seen (at ${h.keeper.status().state})`);
  t.match(h.keeper.status().reason, /maintenance window/);
  const looks = h.keeper.metrics().endpoints.tickle.calls;
  await waitFor(() => h.keeper.metrics().endpoints.tickle.calls >= looks + 2, 10_000, 'more looks inside the window');
  t.equal(logins, 0, 'no login inside the window');
  t.equal(h.keeper.status().state, 'no-session', 'still waiting for the window to end');

  offset = window.end + 1000 - Date.now();
  await h.waitSession('authenticated', 30_000);
  t.equal(h.keeper.status().inMaintenance, false);
  t.equal(logins, 1, 'one login');
  t.equal(h.keeper.status().loginsToday, 1, 'one login in the budget');
  const counters = (await h.control('/state')).counters as Record<string, number>;
  t.equal((counters['/sso/Dispatcher'] ?? 0) + (counters['/sso/Login'] ?? 0), 1, 'one login at the gateway');
  t.equal(h.restartGraces.length, 0, 'the keeper asked for no restart of its own');
  t.equal(h.sup.status().state, 'running');
  t.equal(h.sup.status().restartsSinceStart, 1, 'one restart: the crash');
  t.ok(h.events.some((e) => e.type === 'session.maintenance' && e.data?.active === false), 'the window end recorded');
});
