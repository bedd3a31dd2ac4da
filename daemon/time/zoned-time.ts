/**
 * Wall-clock time in a named time zone: the system's tz database (tz-database.ts), or Intl for a
 * zone it lacks. IBKR states its resets in the
 * local time of a region (New York, Zug, Hong Kong), and those regions change their UTC offset
 * twice a year on different dates: a window computed with a fixed offset is an hour off for
 * weeks every spring and autumn.
 */

import { zoneFromDatabase } from './tz-database.js';

export interface WallTime {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday .. 6 = Saturday, like Date#getDay. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // hourCycle h23: some locales/ICU versions print midnight as 24 with hour12:false.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError for a zone the runtime does not know (config validation uses it). */
export function assertTimeZone(timeZone: string): void {
  if (!zoneFromDatabase(timeZone)) formatterFor(timeZone);
}

export function wallTimeAt(instant: number, timeZone: string): WallTime {
  const zone = zoneFromDatabase(timeZone);
  if (zone) {
    // Whole seconds, as Intl prints them.
    const d = new Date(Math.floor(instant / 1000) * 1000 + zone.offsetAt(instant) * 1000);
    return {
      year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
      hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), weekday: d.getUTCDay(),
    };
  }
  return wallTimeFromIntl(instant, timeZone);
}

/** Exported for the test that holds the database's answers against ICU's. */
export function wallTimeFromIntl(instant: number, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const { year, month, day, hour, minute, second } = parts as Record<string, number>;
  return { year, month, day, hour: hour % 24, minute, second, weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay() };
}

/** Offset of the zone from UTC at an instant, in ms (New York in winter: -5 h). */
export function zoneOffsetAt(instant: number, timeZone: string): number {
  const zone = zoneFromDatabase(timeZone);
  if (zone) return zone.offsetAt(instant) * 1000;
  const w = wallTimeAt(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a wall-clock time happens in a zone. Two DST edge cases:
 * - the time is skipped (02:30 on a spring-forward night): the instant the clock would show
 *   if it had not jumped, i.e. shifted forward by the jump (03:30 new time) — a reset "at
 *   02:30" still happens that night, never silently disappears;
 * - the time happens twice (01:30 on a fall-back night): the earlier one, so a window opens
 *   no later than IBKR's.
 */
export function instantOfWallTime(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const DAY = 86_400_000;
  const before = zoneOffsetAt(guess - DAY, timeZone);
  const after = zoneOffsetAt(guess + DAY, timeZone);
  const matches = (t: number): boolean => {
    const w = wallTimeAt(t, timeZone);
    return w.year === year && w.month === month && w.day === day && w.hour === hour && w.minute === minute;
  };
  const candidates = [guess - before, guess - after].filter(matches);
  if (candidates.length > 0) return Math.min(...candidates);
  return guess - before;
}

/** Adds whole calendar days to a date (no time zone involved: plain calendar arithmetic). */
export function addDays(year: number, month: number, day: number, days: number): { year: number; month: number; day: number; weekday: number } {
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay() };
}

/** "HH:MM" → minutes; throws on anything else so a config typo is loud. */
export function parseClock(text: string): { hour: number; minute: number } {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new RangeError(`not a HH:MM time: ${text}`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}
