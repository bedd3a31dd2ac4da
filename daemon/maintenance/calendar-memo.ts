/**
 * A calendar asked on every API call must answer in microseconds; working the windows out
 * from the rules (time zones, a week of dates) takes about half a millisecond. The answer
 * only changes at a window's start or end, so it is kept until the next of those — and at
 * most `maxAgeMs`, so a config edit that replaces a source shows within that time.
 */
import type { CalendarWindow, WindowCalendar } from './calendar.js';

export function memoizedCalendar(calendar: WindowCalendar, maxAgeMs = 60_000): WindowCalendar {
  let current: CalendarWindow | null = null;
  let next: CalendarWindow | null = null;
  let validFrom = Number.POSITIVE_INFINITY;
  let validUntil = Number.NEGATIVE_INFINITY;
  const refresh = (now: number) => {
    if (now >= validFrom && now < validUntil) return;
    current = calendar.current(now);
    next = calendar.next(now);
    validFrom = now;
    validUntil = Math.min(now + maxAgeMs, current?.end ?? Number.POSITIVE_INFINITY, next?.start ?? Number.POSITIVE_INFINITY);
  };
  return {
    current(now) { refresh(now); return current; },
    next(now) { refresh(now); return next; },
  };
}
