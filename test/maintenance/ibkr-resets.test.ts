import t from 'tap';
import { MaintenanceCalendar, type MaintenanceWindow, type WindowSource } from '../../daemon/maintenance/calendar.js';
import { IbkrResetSource } from '../../daemon/maintenance/ibkr-resets.js';
import { instantOfWallTime, wallTimeAt } from '../../daemon/time/zoned-time.js';

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
const at = (s: string): number => Date.parse(s);

t.test('wall time → instant follows each zone\'s offset and DST', async (t) => {
  t.equal(iso(instantOfWallTime(2024, 1, 15, 0, 0, 'America/New_York')), '2024-01-15T05:00:00.000Z', 'EST is UTC-5');
  t.equal(iso(instantOfWallTime(2024, 7, 15, 0, 0, 'America/New_York')), '2024-07-15T04:00:00.000Z', 'EDT is UTC-4');
  t.equal(iso(instantOfWallTime(2024, 7, 15, 1, 0, 'Europe/Zurich')), '2024-07-14T23:00:00.000Z', 'CEST is UTC+2');
  t.equal(iso(instantOfWallTime(2024, 7, 15, 1, 0, 'Asia/Hong_Kong')), '2024-07-14T17:00:00.000Z', 'HKT is UTC+8, no DST');
  t.equal(iso(instantOfWallTime(2024, 1, 15, 1, 0, 'Asia/Hong_Kong')), '2024-01-14T17:00:00.000Z');
  // 2024-03-10 02:30 does not exist in New York: the clock jumps 02:00 → 03:00.
  t.equal(iso(instantOfWallTime(2024, 3, 10, 2, 30, 'America/New_York')), '2024-03-10T07:30:00.000Z', 'skipped time moves forward (03:30 EDT)');
  // 2024-11-03 01:30 happens twice in New York: the earlier (EDT) one.
  t.equal(iso(instantOfWallTime(2024, 11, 3, 1, 30, 'America/New_York')), '2024-11-03T05:30:00.000Z', 'repeated time: the earlier');
  const w = wallTimeAt(at('2024-03-10T07:30:00Z'), 'America/New_York');
  t.same([w.hour, w.minute, w.weekday], [3, 30, 0], 'Sunday 03:30 local');
  t.equal(wallTimeAt(at('2024-01-15T05:00:00Z'), 'America/New_York').hour, 0, 'midnight is hour 0, never 24');
});

t.test('daily reset windows cross midnight and keep local time through DST', async (t) => {
  const src = new IbkrResetSource({ region: 'north-america', daily: { start: '23:45', durationMin: 90 }, weekly: null });
  const cal = new MaintenanceCalendar([src]);
  // Winter: 23:45 EST = 04:45Z, ends 06:15Z.
  const winter = cal.current(at('2024-01-15T05:30:00Z'));
  t.equal(iso(winter?.start), '2024-01-15T04:45:00.000Z');
  t.equal(iso(winter?.end), '2024-01-15T06:15:00.000Z');
  t.equal(cal.current(at('2024-01-15T06:15:00Z')), null, 'end is exclusive');
  t.equal(cal.current(at('2024-01-15T04:44:59Z')), null);
  // Summer: 23:45 EDT = 03:45Z.
  t.equal(iso(cal.current(at('2024-07-15T04:00:00Z'))?.start), '2024-07-15T03:45:00.000Z');
  // The evening before the spring-forward night is still EST; the one after is EDT.
  t.equal(iso(cal.next(at('2024-03-09T12:00:00Z'))?.start), '2024-03-10T04:45:00.000Z', 'Sat 23:45 EST');
  t.equal(iso(cal.next(at('2024-03-10T12:00:00Z'))?.start), '2024-03-11T03:45:00.000Z', 'Sun 23:45 EDT');
  // Across the fall-back night the window lasts 90 real minutes.
  const fall = cal.current(at('2024-11-03T04:00:00Z'));
  t.equal(iso(fall?.start), '2024-11-03T03:45:00.000Z', 'Sat 23:45 EDT');
  t.equal(fall!.end - fall!.start, 90 * 60_000);
});

t.test('regions reset in their own zones, and switch DST on their own dates', async (t) => {
  const zurich = new MaintenanceCalendar([new IbkrResetSource({ region: 'europe', daily: { start: '01:00', durationMin: 30 }, weekly: null })]);
  const ny = new MaintenanceCalendar([new IbkrResetSource({ region: 'north-america', daily: { start: '01:00', durationMin: 30 }, weekly: null })]);
  // 2024-03-20: New York already on EDT (since 10 March), Zurich still on CET (until 31 March).
  t.equal(iso(zurich.next(at('2024-03-20T12:00:00Z'))?.start), '2024-03-21T00:00:00.000Z', 'Zurich CET: 01:00 = 00:00Z');
  t.equal(iso(ny.next(at('2024-03-20T12:00:00Z'))?.start), '2024-03-21T05:00:00.000Z', 'New York EDT: 01:00 = 05:00Z');
  t.equal(iso(zurich.next(at('2024-04-02T12:00:00Z'))?.start), '2024-04-02T23:00:00.000Z', 'Zurich CEST after 31 March');
  const hk = new MaintenanceCalendar([new IbkrResetSource({ region: 'asia', daily: { start: '01:00', durationMin: 30 }, weekly: null })]);
  t.equal(iso(hk.next(at('2024-07-01T00:00:00Z'))?.start), '2024-07-01T17:00:00.000Z');
  const explicit = new IbkrResetSource({ region: 'asia', daily: { start: '01:00', durationMin: 30, timeZone: 'America/New_York' }, weekly: null });
  t.equal(iso(new MaintenanceCalendar([explicit]).next(at('2024-07-01T00:00:00Z'))?.start), '2024-07-01T05:00:00.000Z', 'an explicit zone wins over the region');
});

t.test('weekly window on its weekday, merged with the daily one when they overlap', async (t) => {
  const src = new IbkrResetSource({
    region: 'north-america',
    daily: { start: '23:45', durationMin: 90, timeZone: 'America/New_York' },
    weekly: { day: 6, start: '23:00', durationMin: 180, timeZone: 'America/New_York' },
  });
  const cal = new MaintenanceCalendar([src]);
  // Wednesday 2024-07-17 noon: the next window is Wednesday night's daily one.
  t.equal(iso(cal.next(at('2024-07-17T16:00:00Z'))?.start), '2024-07-18T03:45:00.000Z');
  // Saturday 2024-07-20 23:00 EDT = Sunday 03:00Z; the daily 23:45 lies inside it.
  const sat = cal.current(at('2024-07-21T04:00:00Z'));
  t.ok(sat, 'inside the Saturday window');
  t.equal(iso(sat?.start), '2024-07-21T03:00:00.000Z');
  t.equal(iso(sat?.end), '2024-07-21T06:00:00.000Z', 'weekly 180 min covers the daily 90 min');
  t.same(sat?.windows.map((w) => w.kind).sort(), ['daily', 'weekly']);
  t.match(sat?.reason, /weekly/);
  // Nothing on other weekdays beyond the daily.
  const windows = src.windowsBetween(at('2024-07-14T06:00:00Z'), at('2024-07-21T03:00:00Z')).filter((w) => w.kind === 'weekly');
  t.equal(windows.length, 0, 'no weekly window between two Saturday windows');
  t.throws(() => new IbkrResetSource({ region: 'europe', daily: null, weekly: { day: 7, start: '23:00', durationMin: 10 } }), RangeError);
  t.throws(() => new IbkrResetSource({ region: 'europe', daily: { start: '25:00', durationMin: 10 }, weekly: null }), RangeError);
  t.throws(() => new IbkrResetSource({ region: 'europe', daily: { start: '01:00', durationMin: 10, timeZone: 'Mars/Olympus' }, weekly: null }), RangeError);
});

t.test('any window source feeds the calendar (the admin windows of a later issue)', async (t) => {
  const admin: WindowSource = {
    name: 'admin',
    windowsBetween: (from, to) =>
      [{ id: 'a1', source: 'admin', kind: 'upgrade', start: at('2024-07-17T10:00:00Z'), end: at('2024-07-17T11:00:00Z'), reason: 'gateway upgrade' }]
        .filter((w: MaintenanceWindow) => w.end > from && w.start < to),
  };
  const touching: WindowSource = {
    name: 'touching',
    windowsBetween: () => [{ id: 't1', source: 'touching', kind: 'x', start: at('2024-07-17T11:00:00Z'), end: at('2024-07-17T11:30:00Z'), reason: 'right after' }],
  };
  const cal = new MaintenanceCalendar([admin]);
  t.equal(cal.current(at('2024-07-17T10:30:00Z'))?.reason, 'gateway upgrade');
  t.equal(iso(cal.next(at('2024-07-17T09:00:00Z'))?.start), '2024-07-17T10:00:00.000Z');
  cal.addSource(touching);
  t.equal(iso(cal.current(at('2024-07-17T10:30:00Z'))?.end), '2024-07-17T11:30:00.000Z', 'touching windows merge: no check between them');
  t.same(cal.sources(), ['admin', 'touching']);
  t.ok(cal.removeSource('admin'));
  t.equal(cal.current(at('2024-07-17T10:30:00Z')), null);
  t.equal(new MaintenanceCalendar().next(Date.now()), null);
});
