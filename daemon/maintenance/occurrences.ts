/**
 * When a window happens. Recurring windows are wall-clock times in their own zone, so across
 * a DST change the instant moves and the local time stays: "Sunday 02:00 Europe/Zurich" is
 * 01:00 UTC in winter and 00:00 UTC in summer. A wall time the clock skips (02:30 on a
 * spring-forward night) happens at the moment the clock jumps forward past it; one the clock
 * shows twice (01:30 on a fall-back night) happens the first time (zoned-time.ts decides both,
 * for cron patterns too). The duration is elapsed time: 180 minutes are three real hours even when the
 * clock jumps inside them.
 */
import { createRequire } from 'node:module';
import type { Cron } from 'croner';

/**
 * croner only when a cron window exists: required on first use (its CommonJS build, so callers
 * stay synchronous) rather than at start, where most daemons have no cron window at all.
 */
let CronClass: typeof Cron | null = null;
const cronClass = (): typeof Cron => (CronClass ??= (createRequire(import.meta.url)('croner') as { Cron: typeof Cron }).Cron);
import type { AdminWindow, Occurrence, WindowSchedule } from './window-types.js';
import { addDays, instantOfWallTime, parseClock, wallTimeAt, zoneOffsetAt } from '../time/zoned-time.js';

const DAY_MS = 86_400_000;
/** A safety stop for a pattern that fires far more often than the rules allow. */
const MAX_STEPS = 20_000;

const crons = new Map<string, Cron>();

/**
 * One paused croner job per pattern, reused: the calendar asks on every tickle. It runs on a
 * wall-clock axis (UTC offset 0, the zone's local time written as if it were UTC) and
 * zoned-time.ts turns each match into an instant: croner's own time zone support formats dates
 * with Intl, which loads ICU's data into the daemon for good (~8 MB).
 */
export function cronFor(pattern: string): Cron {
  let job = crons.get(pattern);
  if (!job) {
    job = new (cronClass())(pattern, { utcOffset: 0, paused: true });
    if (crons.size > 500) crons.clear(); // windows come and go; never grow without bound
    crons.set(pattern, job);
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

/** A DST jump moves an instant against its wall time by at most this much (Lord Howe: 30 min, historic double summer time: 2 h). */
const MAX_SHIFT_MS = 3 * 3_600_000;

function cronStarts(pattern: string, timeZone: string, from: number, to: number, limit = MAX_STEPS): number[] {
  const job = cronFor(pattern);
  const found = new Set<number>();
  const asUtc = (t: number): number => t + zoneOffsetAt(t, timeZone);
  // nextRun(t) answers strictly after t. Start a little early: a wall time the clock skips is
  // moved forward by the jump and may land after `from` though its wall time is before.
  let wall: Date | null = new Date(asUtc(from - MAX_SHIFT_MS) - 1);
  const lastWall = asUtc(to) + MAX_SHIFT_MS;
  for (let i = 0; i < MAX_STEPS && found.size < Math.min(limit, MAX_STEPS); i++) {
    wall = job.nextRun(wall);
    if (!wall || wall.getTime() > lastWall) break;
    // A skipped wall time happens when the clock jumps past it; one shown twice, the first time.
    const start = instantOfWallTime(wall.getUTCFullYear(), wall.getUTCMonth() + 1, wall.getUTCDate(), wall.getUTCHours(), wall.getUTCMinutes(), timeZone)
      + wall.getUTCSeconds() * 1000;
    if (start >= from && start < to) found.add(start);
  }
  return [...found].sort((a, b) => a - b);
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
