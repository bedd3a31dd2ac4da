/**
 * "The gateway will be down from X to Y", said ahead of time: one `maintenance.upcoming` event
 * `leadMs` before each quiet period of the calendar (IBKR's resets today, an operator's windows
 * later). Stored like every event, so an app that reconnects to the live stream still gets it.
 * The keeper reports entering and leaving a window itself (session.maintenance).
 */
import type { EventSink } from '../events.js';
import type { CalendarWindow, WindowCalendar } from './calendar.js';

export interface MaintenanceNoticesOptions {
  calendar: WindowCalendar;
  onEvent: EventSink;
  /** How long before a window starts its notice goes out. Default 15 minutes. */
  leadMs?: number;
  /**
   * Announce only quiet periods with a window from these sources (default: all). Sources that
   * announce their own windows (an operator's, with their own lead time) are left to do so.
   */
  sources?: readonly string[];
  now?: () => number;
}

/** setTimeout's delay is a 32-bit int: a weekly window is further away than that. */
const MAX_DELAY = 2 ** 31 - 1;

export class MaintenanceNotices {
  readonly #options: MaintenanceNoticesOptions;
  readonly #lead: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | null = null;
  /** Start of the last window announced: re-arming never announces one twice. */
  #announced = 0;

  constructor(options: MaintenanceNoticesOptions) {
    this.#options = options;
    this.#lead = options.leadMs ?? 15 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    this.#arm();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** The calendar changed (a config edit): look again. */
  rearm(): void {
    this.stop();
    this.#arm();
  }

  #arm(): void {
    const now = this.#now();
    const next = this.#options.calendar.next(now);
    if (!next) return;
    if (!this.#mine(next)) {
      // Not ours to announce: look again once it has begun.
      this.#schedule(next.start - now + 1);
      return;
    }
    const due = next.start - this.#lead;
    if (due <= now) {
      this.#announce(next);
      // Look for the one after this window once it has begun.
      this.#schedule(next.start - now + 1);
      return;
    }
    this.#schedule(due - now);
  }

  #schedule(delay: number): void {
    this.#timer = setTimeout(() => { this.#timer = null; this.#arm(); }, Math.min(MAX_DELAY, Math.max(1, delay)));
    this.#timer.unref();
  }

  #mine(w: CalendarWindow): boolean {
    const { sources } = this.#options;
    return !sources || w.windows.length === 0 || w.windows.some((x) => sources.includes(x.source));
  }

  #announce(w: CalendarWindow): void {
    if (w.start === this.#announced) return;
    this.#announced = w.start;
    const start = new Date(w.start).toISOString();
    const end = new Date(w.end).toISOString();
    this.#options.onEvent({
      type: 'maintenance.upcoming', level: 'info',
      message: `IBKR maintenance from ${start} to ${end}: the gateway may not answer (${w.reason})`,
      data: { start, end, reason: w.reason },
    });
  }
}
