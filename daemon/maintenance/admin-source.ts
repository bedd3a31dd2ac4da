/**
 * Admin windows as a calendar source: the session keeper asks the calendar, so inside any
 * admin window it stops escalating exactly as inside IBKR's resets — no logins, no restarts.
 * One exception: while a health gate waits for the session after a change, the current
 * window is hidden, so the keeper's "window ended" check runs and logs in (with stored
 * credentials); the gate would otherwise wait for a login the window forbids.
 */
import type { MaintenanceWindow, WindowSource } from './calendar.js';
import type { WindowBook } from './window-book.js';
import { occurrenceKey, type Occurrence } from './window-types.js';

export function asCalendarWindow(o: Occurrence, source: string): MaintenanceWindow {
  const w = o.window;
  return {
    id: occurrenceKey(w.id, o.start), source, kind: w.action, start: o.start, end: o.end,
    reason: `${w.title} (${w.action})${w.reason ? `: ${w.reason}` : ''}`,
    windowId: w.id, title: w.title, action: w.action,
  };
}

export class AdminWindowSource implements WindowSource {
  readonly name = 'admin';
  #hideAt: (() => number) | null = null;

  constructor(private readonly book: WindowBook) {}

  /** While set, occurrences containing the current instant are left out. */
  hideCurrent(now: (() => number) | null): void {
    this.#hideAt = now;
  }

  windowsBetween(from: number, to: number): MaintenanceWindow[] {
    const t = this.#hideAt?.() ?? null;
    return this.book.occurrences(from, to)
      .filter((o) => t === null || !(o.start <= t && t < o.end))
      .map((o) => asCalendarWindow(o, this.name));
  }
}
