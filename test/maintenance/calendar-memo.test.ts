import t from 'tap';
import type { CalendarWindow, WindowCalendar } from '../../daemon/maintenance/calendar.js';
import { memoizedCalendar } from '../../daemon/maintenance/calendar-memo.js';

t.test('the memo answers like the calendar, asking it again only at a window edge or after maxAge', async (t) => {
  const w = (start: number, end: number): CalendarWindow => ({ start, end, windows: [], reason: 'w' });
  const windows = [w(100, 200), w(300, 400)];
  let asked = 0;
  const inner: WindowCalendar = {
    current: (now) => { asked++; return windows.find((x) => x.start <= now && now < x.end) ?? null; },
    next: (now) => windows.find((x) => x.start > now) ?? null,
  };
  const memo = memoizedCalendar(inner, 1000);
  for (const now of [0, 50, 99, 100, 150, 199, 200, 250, 299, 300, 399, 400, 1000, 1500, 2500]) {
    t.same(memo.current(now), inner.current(now), `current at ${now}`);
    t.same(memo.next(now), inner.next(now), `next at ${now}`);
  }
  asked = 0;
  const again = memoizedCalendar(inner, 1000);
  for (let now = 0; now < 100; now++) again.current(now);
  t.equal(asked, 1, 'one look until the window starts');
  again.current(100);
  t.equal(asked, 2, 'a new look at the edge');
  for (let now = 400; now < 1400; now += 10) again.current(now);
  t.ok(asked <= 4, `after the last window: again only when maxAge runs out (${asked})`);
});
