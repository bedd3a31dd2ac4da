/**
 * Inside IBKR's reset window failures are expected: no login, no restart, no escalation.
 * When it ends, one planned check. The keeper's clock is set inside a real reset window
 * computed by the calendar, 2 s before its end.
 */
import t from 'tap';
import { MaintenanceCalendar } from '../../daemon/maintenance/calendar.js';
import { IbkrResetSource } from '../../daemon/maintenance/ibkr-resets.js';
import { startKeeper, startTestSim, waitState } from '../helpers/session-harness.js';
import { waitFor } from '../../testkit/wait-for.js';

const sim = await startTestSim(t);
t.beforeEach(async () => {
  await sim.control('/reset', {});
  await sim.control('/session/login', { username: 'demo' });
});

function clockInsideWindow(msBeforeEnd: number): { calendar: MaintenanceCalendar; now: () => number; endsAt: number } {
  const calendar = new MaintenanceCalendar([new IbkrResetSource({ region: 'north-america', daily: { start: '23:45', durationMin: 90 }, weekly: null })]);
  const window = calendar.next(Date.now())!;
  const offset = window.end - msBeforeEnd - Date.now();
  return { calendar, now: () => Date.now() + offset, endsAt: Date.now() + msBeforeEnd };
}

t.test('a hang inside the window is not restarted; after the window, one check restarts it', async (t) => {
  const { calendar, now, endsAt } = clockInsideWindow(4000);
  const h = startKeeper(t, sim, {}, { calendar, now });
  await waitState(h, 'authenticated');
  t.equal(h.keeper.status().inMaintenance, true);
  t.match(h.keeper.status().maintenanceWindow, { reason: /IBKR daily reset/ });
  await sim.control('/fault/hang', { on: true });
  await waitFor(() => /maintenance window: no restart/.test(h.keeper.status().reason ?? ''), 3500, 'the hang seen inside the window');
  t.ok((h.keeper.metrics().endpoints.liveness.byOutcome.timeout ?? 0) + (h.keeper.metrics().endpoints.tickle.byOutcome.timeout ?? 0) >= 2, 'threshold reached');
  t.equal(h.gateway.restarts.length, 0, 'no restart inside the window');
  await waitFor(() => h.gateway.restarts.length === 1, 8000, 'a restart after the window');
  t.ok(Date.now() >= endsAt - 50, 'only after the window ended');
  t.ok(h.events.some((e) => e.type === 'session.maintenance' && e.data?.active === false), 'window end recorded');
  await waitState(h, 'authenticated');
  t.equal(h.keeper.status().inMaintenance, false);
});

t.test('no login inside the window; exactly one after it', async (t) => {
  const { calendar, now, endsAt } = clockInsideWindow(2500);
  let logins = 0;
  const h = startKeeper(t, sim, {}, {
    calendar, now,
    login: async () => {
      logins++;
      await sim.control('/session/login', { username: 'demo' });
      return 'ok';
    },
  });
  await waitState(h, 'authenticated');
  await sim.control('/session/expire', {});
  await waitFor(() => h.keeper.status().state === 'no-session', 2000, 'the lost session seen');
  t.match(h.keeper.status().reason, /maintenance window/);
  t.equal(logins, 0);
  await waitState(h, 'authenticated', 8000);
  t.ok(Date.now() >= endsAt - 50, 'logged in only after the window');
  t.equal(logins, 1, 'exactly one login');
  t.equal(h.gateway.restarts.length, 0);
});
