/**
 * Follows the maintenance calendar from one look to the next and reports the edges: entering a
 * window (failures now expected) and leaving it (time for one planned check).
 */
import type { CalendarWindow, WindowCalendar } from '../maintenance/calendar.js';

export type WindowEdge = { kind: 'entered'; window: CalendarWindow } | { kind: 'ended'; window: CalendarWindow } | null;

export class MaintenanceWatch {
  #window: CalendarWindow | null = null;

  constructor(private readonly calendar: WindowCalendar | null) {}

  update(now: number): WindowEdge {
    const w = this.calendar?.current(now) ?? null;
    const was = this.#window;
    this.#window = w;
    // A new window right after another (different start) is an entry too; merged windows
    // arrive as one, so a daily reset inside the weekly one is no edge.
    if (w && (!was || was.start !== w.start)) return { kind: 'entered', window: w };
    if (!w && was) return { kind: 'ended', window: was };
    return null;
  }

  get window(): CalendarWindow | null {
    return this.#window;
  }
}
