import t from 'tap';
import { MaintenanceCalendar, type MaintenanceWindow, type WindowSource } from '../../daemon/maintenance/calendar.js';
import { MaintenanceNotices } from '../../daemon/maintenance/notices.js';
import type { ServiceEvent } from '../../daemon/events.js';
import { waitFor } from '../../testkit/wait-for.js';

function source(windows: Array<[number, number]>, name = 'test'): WindowSource {
  return {
    name,
    windowsBetween: (from, to) => windows
      .filter(([s, e]) => e > from && s < to)
      .map(([start, end]): MaintenanceWindow => ({ id: `${name}${start}`, source: name, kind: 'test', start, end, reason: `${name} window` })),
  };
}

t.test('each window is announced once, leadMs ahead, and the next one after it', async (t) => {
  const now = Date.now();
  const calendar = new MaintenanceCalendar([source([[now + 200, now + 300], [now + 600, now + 700], [now + 10 * 86_400_000, now + 10 * 86_400_000 + 1]])]);
  const events: ServiceEvent[] = [];
  const notices = new MaintenanceNotices({ calendar, onEvent: (e) => events.push(e), leadMs: 150 });
  t.teardown(() => notices.stop());
  notices.start();
  await waitFor(() => events.length >= 2, 5000, 'two notices');
  t.same(events.map((e) => e.type), ['maintenance.upcoming', 'maintenance.upcoming']);
  t.same(events.map((e) => e.data?.start), [new Date(now + 200).toISOString(), new Date(now + 600).toISOString()]);
  notices.rearm();
  t.equal(events.length, 2, 'a re-arm does not announce again');
});

t.test('only the sources asked for: an operator\'s windows are announced by their own scheduler', async (t) => {
  const now = Date.now();
  const calendar = new MaintenanceCalendar([source([[now + 100, now + 200]], 'admin'), source([[now + 400, now + 500]], 'ibkr-reset')]);
  const events: ServiceEvent[] = [];
  const notices = new MaintenanceNotices({ calendar, onEvent: (e) => events.push(e), leadMs: 150, sources: ['ibkr-reset'] });
  t.teardown(() => notices.stop());
  notices.start();
  await waitFor(() => events.length >= 1, 5000, 'the reset\'s notice');
  t.same(events.map((e) => e.data?.reason), ['ibkr-reset window']);
});
