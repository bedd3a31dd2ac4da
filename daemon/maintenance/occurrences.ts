/**
 * When a window happens. Recurring windows are wall-clock times in their own zone, so across
 * a DST change the instant moves and the local time stays: "Sunday 02:00 Europe/Zurich" is
 * 01:00 UTC in winter and 00:00 UTC in summer. A wall time the clock skips (02:30 on a
 * spring-forward night) happens at the moment the clock jumps forward past it; one the clock
 * shows twice (01:30 on a fall-back night) happens the first time — croner and zoned-time.ts
 * agree on both. The duration is elapsed time: 180 minutes are three real hours even when the
 * clock jumps inside them.
 */
import { Cron } from 'croner';
import type { AdminWindow, Occurrence, WindowSchedule } from './window-types.js';
import { addDays, instantOfWallTime, parseClock, wallTimeAt, zoneOffsetAt } from './zoned-time.js';

const DAY_MS = 86_400_000;
/** A safety stop for a pattern that fires far more often than the rules allow. */
const MAX_STEPS = 20_000;

const crons = new Map<string, Cron>();

/** One paused croner job per pattern and zone, reused: the calendar asks on every tickle. */
export function cronFor(pattern: string, timeZone: string): Cron {
  const key = `${timeZone}|${pattern}`;
  let job = crons.get(key);
  if (!job) {
    job = new Cron(pattern, { timezone: timeZone, paused: true });
    if (crons.size > 500) crons.clear(); // windows come and go; never grow without bound
    crons.set(key, job);
  }
  return job;
}

export function durationMs(schedule: WindowSchedule): number {
  return schedule.kind === 'once' ? Date.parse(schedule.end) - Date.parse(schedule.start) : schedule.durationMinutes * 60_000;
}

/** Starts of a schedule in [from, to), ascending; at most `limit` (uncached then: a one-off check). */
export function startsBetween(schedule: WindowSchedule, from: number, to: number, limit?: number): number[] {
  if (schedule.kind === 'once') {
    const start = Date.parse(schedule.start);
    return start >= from && start < to ? [start] : [];
  }
  if (schedule.kind === 'cron') {
    return limit === undefined ? cachedCronStarts(schedule.cron, schedule.timeZone, from, to) : cronStarts(schedule.cron, schedule.timeZone, from, to, limit);
  }
  return weeklyStarts(schedule, from, to).slice(0, limit);
}

function cronStarts(pattern: string, timeZone: string, from: number, to: number, limit = MAX_STEPS): number[] {
  const job = cronFor(pattern, timeZone);
  const out: number[] = [];
  // nextRun(t) answers strictly after t.
  let at: Date | null = new Date(from - 1);
  for (let i = 0; i < Math.min(limit, MAX_STEPS); i++) {
    at = job.nextRun(at);
    if (!at || at.getTime() >= to) break;
    out.push(firstOfRepeatedWallTime(at.getTime(), timeZone));
  }
  return out;
}

interface CachedStarts { from: number; to: number; starts: number[] }
const startCache = new Map<string, CachedStarts>();

/**
 * croner needs about a millisecond per nextRun with a time zone, and the calendar is asked on
 * every probe of the session keeper: the starts of a pattern are kept for the range asked
 * (plus a week ahead), and a sliding "now" mostly hits that range.
 */
function cachedCronStarts(pattern: string, timeZone: string, from: number, to: number): number[] {
  const key = `${timeZone}|${pattern}`;
  let c = startCache.get(key);
  if (!c || from < c.from || to > c.to) {
    // Extend a nearby range rather than start over; a far one (the overlap check a year out) replaces it.
    const near = c && from >= c.from - 8 * DAY_MS && to <= c.to + 400 * DAY_MS;
    const f = near ? Math.min(from, c!.from) : from;
    const tEnd = Math.max(to, near ? c!.to : to) + 8 * DAY_MS;
    c = { from: f, to: tEnd, starts: cronStarts(pattern, timeZone, f, tEnd) };
    if (startCache.size > 500) startCache.clear();
    startCache.set(key, c);
  }
  return c.starts.filter((t) => t >= from && t < to);
}

/**
 * On a fall-back night a wall time happens twice; croner may answer the second one. The first
 * is the one zoned-time.ts (and IBKR's reset windows) use: a window opens no later than asked.
 */
function firstOfRepeatedWallTime(t: number, timeZone: string): number {
  const shift = zoneOffsetAt(t - 3 * 3_600_000, timeZone) - zoneOffsetAt(t, timeZone);
  if (shift <= 0) return t;
  const a = wallTimeAt(t - shift, timeZone);
  const b = wallTimeAt(t, timeZone);
  const same = a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute && a.second === b.second;
  return same ? t - shift : t;
}

function weeklyStarts(schedule: Extract<WindowSchedule, { kind: 'weekly' }>, from: number, to: number): number[] {
  const { hour, minute } = parseClock(schedule.time);
  // Walk local calendar dates a day either side, so a zone far from UTC loses no day.
  const first = wallTimeAt(from - DAY_MS, schedule.timeZone);
  const last = wallTimeAt(to + DAY_MS, schedule.timeZone);
  const lastKey = last.year * 10_000 + last.month * 100 + last.day;
  const out: number[] = [];
  for (let i = 0; i < MAX_STEPS; i++) {
    const d = addDays(first.year, first.month, first.day, i);
    if (d.year * 10_000 + d.month * 100 + d.day > lastKey) break;
    if (!schedule.days.includes(d.weekday)) continue;
    const start = instantOfWallTime(d.year, d.month, d.day, hour, minute, schedule.timeZone);
    if (start >= from && start < to) out.push(start);
  }
  return out;
}

/** Occurrences of `window` overlapping [from, to), ascending. */
export function occurrencesBetween(window: AdminWindow, from: number, to: number): Occurrence[] {
  const length = durationMs(window.schedule);
  return startsBetween(window.schedule, from - length, to)
    .map((start) => ({ window, start, end: start + length }))
    .filter((o) => o.end > from && o.start < to);
}

/** The first occurrence starting after `after` (within `horizonMs`), or null. */
export function nextOccurrence(window: AdminWindow, after: number, horizonMs: number): Occurrence | null {
  const length = durationMs(window.schedule);
  const start = startsBetween(window.schedule, after + 1, after + horizonMs)[0];
  return start === undefined ? null : { window, start, end: start + length };
}
