/**
 * What the schema cannot say about a window: which kind it is, that its instants and zone
 * exist, that it ends after it starts, that its length is sane and that it does not overlap
 * itself. Every refusal is IBGW_MAINTENANCE_INVALID naming one field (details.field).
 */
import { ERR_MAINTENANCE_INVALID, type IbgwError } from '../errors.js';
import { cronFor, startsBetween } from './occurrences.js';
import type { WindowInput } from './window-schema.js';
import type { WindowSchedule } from './window-types.js';
import { assertTimeZone, instantOfWallTime } from '../time/zoned-time.js';

export interface WindowLimits {
  now: number;
  /** maintenance.maxWindowMinutes */
  maxMinutes: number;
}

/** Recurring windows closer than this are not maintenance but a second schedule. */
const MIN_RECURRENCE_GAP_MS = 3_600_000;

export function invalid(field: string, problem: string): IbgwError {
  const err = ERR_MAINTENANCE_INVALID(field, problem);
  err.details = { field, problem };
  return err;
}

const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;
const WALL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::00(?:\.0+)?)?$/;

/** An ISO instant; without an offset it is a wall time in `timeZone`. */
function instant(field: string, text: string, timeZone: string | undefined): number {
  if (OFFSET.test(text)) {
    const t = Date.parse(text);
    if (Number.isNaN(t)) throw invalid(field, `not an ISO 8601 date-time: ${JSON.stringify(text)}`);
    return t;
  }
  const m = WALL.exec(text);
  if (!m) throw invalid(field, `not an ISO 8601 date-time: ${JSON.stringify(text)}`);
  if (!timeZone) throw invalid(field, 'needs an offset (…Z or …+02:00), or give timeZone');
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) throw invalid(field, `not a valid date-time: ${JSON.stringify(text)}`);
  return instantOfWallTime(y, mo, d, h, mi, timeZone);
}

function zone(timeZone: string | undefined, required: boolean): string | undefined {
  if (timeZone === undefined) {
    if (required) throw invalid('timeZone', 'required for a recurring window (an IANA zone such as America/New_York)');
    return undefined;
  }
  try {
    assertTimeZone(timeZone);
  } catch {
    throw invalid('timeZone', `not a known IANA time zone: ${JSON.stringify(timeZone)}`);
  }
  return timeZone;
}

function duration(minutes: number | undefined, limits: WindowLimits): number {
  if (minutes === undefined) throw invalid('durationMinutes', 'required for a recurring window');
  if (!Number.isInteger(minutes) || minutes < 1) throw invalid('durationMinutes', 'must be at least 1 minute');
  if (minutes > limits.maxMinutes) throw invalid('durationMinutes', `must be at most ${limits.maxMinutes} minutes (maintenance.maxWindowMinutes)`);
  return minutes;
}

function kindOf(input: WindowInput): 'once' | 'cron' | 'weekly' {
  const once = input.start !== undefined || input.end !== undefined;
  const cron = input.cron !== undefined;
  const weekly = input.days !== undefined || input.time !== undefined;
  if (once && cron) throw invalid('cron', 'cannot be combined with start/end: a window is one-off or recurring');
  if (once && weekly) throw invalid(input.days !== undefined ? 'days' : 'time', 'cannot be combined with start/end: a window is one-off or recurring');
  if (cron && weekly) throw invalid(input.days !== undefined ? 'days' : 'time', 'cannot be combined with cron: give cron, or days + time');
  if (once) return 'once';
  if (cron) return 'cron';
  if (weekly) return 'weekly';
  throw invalid('start', 'give start + end (one-off), cron, or days + time (recurring)');
}

function onceSchedule(input: WindowInput, limits: WindowLimits): WindowSchedule {
  if (input.start === undefined) throw invalid('start', 'required with end');
  if (input.end === undefined) throw invalid('end', 'required with start');
  if (input.durationMinutes !== undefined) throw invalid('durationMinutes', 'not used with start/end (the end says how long)');
  const timeZone = zone(input.timeZone, false);
  const start = instant('start', input.start, timeZone);
  const end = instant('end', input.end, timeZone);
  if (end <= start) throw invalid('end', 'must be after start');
  if (end - start > limits.maxMinutes * 60_000) throw invalid('end', `the window is longer than ${limits.maxMinutes} minutes (maintenance.maxWindowMinutes)`);
  if (end <= limits.now) throw invalid('end', 'is in the past');
  return { kind: 'once', start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/**
 * Fails when two occurrences overlap or come closer than an hour: checked over the next 100
 * occurrences or the next year, whichever ends first (croner takes ~1 ms per occurrence).
 */
function assertSpacing(schedule: WindowSchedule, field: string, now: number): void {
  const starts = startsBetween(schedule, now, now + 366 * 86_400_000, 100);
  if (starts.length === 0) throw invalid(field, 'never happens within the next year');
  const length = schedule.kind === 'once' ? 0 : schedule.durationMinutes * 60_000;
  for (let i = 1; i < starts.length; i++) {
    const gap = starts[i] - starts[i - 1];
    if (gap < MIN_RECURRENCE_GAP_MS) throw invalid(field, `runs ${Math.round(gap / 60_000)} minutes apart; recurring windows must be at least an hour apart`);
    if (gap < length) throw invalid('durationMinutes', `longer than the ${Math.round(gap / 60_000)} minutes between two occurrences`);
  }
}

function recurringSchedule(kind: 'cron' | 'weekly', input: WindowInput, limits: WindowLimits): WindowSchedule {
  const timeZone = zone(input.timeZone, true)!;
  const durationMinutes = duration(input.durationMinutes, limits);
  let schedule: WindowSchedule;
  if (kind === 'cron') {
    try {
      cronFor(input.cron!);
    } catch (err) {
      throw invalid('cron', (err as Error).message);
    }
    schedule = { kind, cron: input.cron!, timeZone, durationMinutes };
  } else {
    if (input.days === undefined) throw invalid('days', 'required with time (0 = Sunday .. 6 = Saturday)');
    if (input.time === undefined) throw invalid('time', 'required with days (HH:MM)');
    schedule = { kind, days: [...input.days].sort((a, b) => a - b), time: input.time, timeZone, durationMinutes };
  }
  assertSpacing(schedule, kind === 'cron' ? 'cron' : 'days', limits.now);
  return schedule;
}

/** The validated schedule of an input; throws IBGW_MAINTENANCE_INVALID naming the field. */
export function scheduleOf(input: WindowInput, limits: WindowLimits): WindowSchedule {
  const kind = kindOf(input);
  return kind === 'once' ? onceSchedule(input, limits) : recurringSchedule(kind, input, limits);
}

/** "maintenance now for N minutes": the same limits as any window. */
export function assertNowMinutes(minutes: number, limits: WindowLimits): void {
  if (!Number.isInteger(minutes) || minutes < 1) throw invalid('minutes', 'must be at least 1');
  if (minutes > limits.maxMinutes) throw invalid('minutes', `must be at most ${limits.maxMinutes} (maintenance.maxWindowMinutes)`);
}
