/**
 * The admin windows in the store: add, replace, remove (validated, overlap-checked) and the
 * occurrences they produce once skips and "end now" are taken into account. Pure bookkeeping:
 * it never acts on the gateway; the scheduler reads it.
 */
import { randomBytes } from 'node:crypto';
import { ERR_MAINTENANCE_NOT_FOUND } from '../errors.js';
import type { MaintenanceStore, OccurrenceOverride } from './maintenance-record.js';
import { nextOccurrence, occurrencesBetween } from './occurrences.js';
import { findOverlap, overlapError } from './overlap.js';
import type { WindowInput } from './window-schema.js';
import { assertNowMinutes, scheduleOf } from './window-rules.js';
import type { AdminWindow, Occurrence, WindowAction } from './window-types.js';

export interface WindowBookOptions {
  store: MaintenanceStore;
  limits: () => { maxWindowMinutes: number; overlapHorizonDays: number };
  now: () => number;
}

const DAY_MS = 86_400_000;
/** Past one-off windows stay listed this long, then go. */
const KEEP_PAST_MS = 30 * DAY_MS;

export class WindowBook {
  constructor(private readonly options: WindowBookOptions) {}

  private get record() {
    return this.options.store.maintenance();
  }

  list(): AdminWindow[] {
    return [...this.record.windows];
  }

  get(id: string): AdminWindow {
    const w = this.record.windows.find((x) => x.id === id);
    if (!w) throw ERR_MAINTENANCE_NOT_FOUND(id);
    return w;
  }

  private build(input: WindowInput, createdBy: string, base?: AdminWindow): AdminWindow {
    const now = this.options.now();
    const { maxWindowMinutes } = this.options.limits();
    const at = new Date(now).toISOString();
    return {
      id: base?.id ?? `w-${randomBytes(5).toString('hex')}`,
      title: input.title,
      reason: input.reason ?? '',
      createdBy: base?.createdBy ?? createdBy,
      createdAt: base?.createdAt ?? at,
      updatedAt: at,
      action: input.action,
      runIfMissed: input.runIfMissed ?? false,
      noticeMinutes: input.noticeMinutes ?? null,
      schedule: scheduleOf(input, { now, maxMinutes: maxWindowMinutes }),
    };
  }

  private assertNoOverlap(candidate: AdminWindow): void {
    const found = findOverlap(candidate, this.record.windows, this.options.now(), this.options.limits().overlapHorizonDays * DAY_MS);
    if (found) throw overlapError(found);
  }

  add(input: WindowInput, createdBy: string): AdminWindow {
    const w = this.build(input, createdBy);
    this.assertNoOverlap(w);
    this.options.store.updateMaintenance((r) => r.windows.push(w));
    return w;
  }

  replace(id: string, input: WindowInput, by: string): AdminWindow {
    const w = this.build(input, by, this.get(id));
    this.assertNoOverlap(w);
    this.options.store.updateMaintenance((r) => {
      r.windows = r.windows.map((x) => (x.id === id ? w : x));
      // The old schedule's skips and early ends mean nothing for the new one.
      r.overrides = r.overrides.filter((o) => o.windowId !== id);
    });
    return w;
  }

  remove(id: string): AdminWindow {
    const w = this.get(id);
    this.options.store.updateMaintenance((r) => {
      r.windows = r.windows.filter((x) => x.id !== id);
      r.overrides = r.overrides.filter((o) => o.windowId !== id);
    });
    return w;
  }

  /** "Maintenance now for N minutes": a one-off window from now, removed once it ended. */
  addNow(minutes: number, action: WindowAction, title: string, reason: string, createdBy: string): AdminWindow {
    const now = this.options.now();
    assertNowMinutes(minutes, { now, maxMinutes: this.options.limits().maxWindowMinutes });
    const at = new Date(now).toISOString();
    const w: AdminWindow = {
      id: `now-${randomBytes(5).toString('hex')}`, title, reason, createdBy, createdAt: at, updatedAt: at, action,
      runIfMissed: false, noticeMinutes: 0, adhoc: true,
      schedule: { kind: 'once', start: at, end: new Date(now + minutes * 60_000).toISOString() },
    };
    this.assertNoOverlap(w);
    this.options.store.updateMaintenance((r) => r.windows.push(w));
    return w;
  }

  private override(windowId: string, start: number): OccurrenceOverride | undefined {
    return this.record.overrides.find((o) => o.windowId === windowId && o.start === start);
  }

  private setOverride(windowId: string, start: number, patch: Partial<OccurrenceOverride>): void {
    this.options.store.updateMaintenance((r) => {
      const o = r.overrides.find((x) => x.windowId === windowId && x.start === start);
      if (o) Object.assign(o, patch);
      else r.overrides.push({ windowId, start, ...patch });
    });
  }

  /** Occurrences overlapping [from, to): skipped ones left out, ended-early ones cut short. */
  occurrences(from: number, to: number): Occurrence[] {
    const out: Occurrence[] = [];
    for (const w of this.record.windows) {
      for (const o of occurrencesBetween(w, from, to)) {
        const ov = this.override(w.id, o.start);
        if (ov?.skipped) continue;
        const end = ov?.endedAt !== undefined ? Math.min(o.end, ov.endedAt) : o.end;
        if (end > o.start && end > from) out.push({ ...o, end });
      }
    }
    return out.sort((a, b) => a.start - b.start);
  }

  /** The occurrence containing `now`. */
  current(now: number): Occurrence | null {
    const longest = this.options.limits().maxWindowMinutes * 60_000;
    return this.occurrences(now - longest, now + 1).find((o) => o.start <= now && now < o.end) ?? null;
  }

  /** The first occurrence starting after `now`, within the overlap horizon. */
  next(now: number): Occurrence | null {
    // Most windows recur daily or weekly: look a week ahead first, the whole horizon only if needed.
    for (const days of [8, this.options.limits().overlapHorizonDays]) {
      const found = this.occurrences(now + 1, now + days * DAY_MS).find((o) => o.start > now);
      if (found) return found;
    }
    return null;
  }

  /** The scheduled end of an occurrence, an "end now" included (window removed: now). */
  endOf(windowId: string, start: number, scheduledEnd: number): number {
    const ov = this.override(windowId, start);
    if (!this.record.windows.some((w) => w.id === windowId)) return Math.min(scheduledEnd, this.options.now());
    return ov?.endedAt !== undefined ? Math.min(scheduledEnd, ov.endedAt) : scheduledEnd;
  }

  endEarly(windowId: string, start: number, at: number): void {
    this.setOverride(windowId, start, { endedAt: at });
  }

  /** Skips the next occurrence of a window that has not started yet; returns it. */
  skipNext(id: string): Occurrence {
    const w = this.get(id);
    const now = this.options.now();
    const horizon = this.options.limits().overlapHorizonDays * DAY_MS;
    let after = now;
    for (;;) {
      const o = nextOccurrence(w, after, horizon);
      if (!o) throw ERR_MAINTENANCE_NOT_FOUND(`${id}: no occurrence ahead to skip`);
      if (!this.override(id, o.start)?.skipped) {
        this.setOverride(id, o.start, { skipped: true });
        return o;
      }
      after = o.start;
    }
  }

  /** Forget what is over: overrides of past occurrences, ended "now" windows, old one-offs. */
  prune(now: number): void {
    const longest = this.options.limits().maxWindowMinutes * 60_000;
    this.options.store.updateMaintenance((r) => {
      r.overrides = r.overrides.filter((o) => o.start + longest > now);
      r.windows = r.windows.filter((w) => {
        if (w.schedule.kind !== 'once' || r.active?.windowId === w.id) return true;
        const end = Date.parse(w.schedule.end);
        return w.adhoc ? end > now && !r.overrides.some((o) => o.windowId === w.id && o.endedAt !== undefined) : end + KEEP_PAST_MS > now;
      });
    });
  }
}
