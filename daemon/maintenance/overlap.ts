/**
 * Two admin windows may not overlap: each has one action, and "restart at 02:00" inside
 * "stop 01:00–04:00" has no good meaning. Recurring windows are compared occurrence by
 * occurrence over a horizon (maintenance.overlapHorizonDays); a one-off window is compared
 * over its own span, so a one-off a year away is still checked exactly. Touching is allowed.
 */
import { ERR_MAINTENANCE_OVERLAP, type IbgwError } from '../errors.js';
import { occurrencesBetween } from './occurrences.js';
import type { AdminWindow, Occurrence } from './window-types.js';

export interface OverlapFound {
  other: AdminWindow;
  /** Where the two first overlap (the later of the two starts). */
  at: number;
}

function range(w: AdminWindow, now: number, horizonMs: number): [number, number] {
  if (w.schedule.kind === 'once') return [Date.parse(w.schedule.start), Date.parse(w.schedule.end)];
  return [now, now + horizonMs];
}

function firstClash(a: Occurrence[], b: Occurrence[]): number | null {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i].start < b[j].end && b[j].start < a[i].end) return Math.max(a[i].start, b[j].start);
    if (a[i].end <= b[j].end) i++;
    else j++;
  }
  return null;
}

/** The first window of `others` that `candidate` overlaps, or null. */
export function findOverlap(candidate: AdminWindow, others: AdminWindow[], now: number, horizonMs: number): OverlapFound | null {
  let found: OverlapFound | null = null;
  for (const other of others) {
    if (other.id === candidate.id) continue;
    // Compare where both can happen: the intersection of their ranges (a one-off bounds it).
    const [ca, cb] = range(candidate, now, horizonMs);
    const [oa, ob] = range(other, now, horizonMs);
    const from = Math.max(ca, oa, now);
    const to = Math.min(cb, ob);
    if (to <= from) continue;
    const at = firstClash(occurrencesBetween(candidate, from, to), occurrencesBetween(other, from, to));
    if (at !== null && (!found || at < found.at)) found = { other, at };
  }
  return found;
}

export function overlapError(found: OverlapFound): IbgwError {
  const err = ERR_MAINTENANCE_OVERLAP(found.other.id, found.other.title, new Date(found.at).toISOString());
  err.details = { windowId: found.other.id, title: found.other.title, at: new Date(found.at).toISOString() };
  return err;
}
