/**
 * Quiet hours: a daily local-time window in which a channel's notifications are held, then
 * sent as one digest when it ends. Local time in a named zone, so "22:00–07:00" stays that
 * across daylight-saving changes.
 */
import { addDays, instantOfWallTime, parseClock, wallTimeAt } from '../time/zoned-time.js';
import type { QuietHours } from '../config/notify-schema.js';

/** The instant the quiet window around `now` ends, or null when `now` is not in one. */
export function quietUntil(now: number, quiet: QuietHours | null): number | null {
  if (!quiet || quiet.start === quiet.end) return null;
  const start = parseClock(quiet.start);
  const end = parseClock(quiet.end);
  const w = wallTimeAt(now, quiet.timeZone);
  const minute = w.hour * 60 + w.minute;
  const s = start.hour * 60 + start.minute;
  const e = end.hour * 60 + end.minute;
  const inside = s < e ? minute >= s && minute < e : minute >= s || minute < e;
  if (!inside) return null;
  // Before the end on the same calendar day (07:00 after midnight, or a daytime window), else tomorrow.
  const day = minute < e ? { year: w.year, month: w.month, day: w.day } : addDays(w.year, w.month, w.day, 1);
  return instantOfWallTime(day.year, day.month, day.day, end.hour, end.minute, quiet.timeZone);
}
