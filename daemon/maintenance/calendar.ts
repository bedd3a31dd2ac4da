/**
 * One calendar of maintenance windows, fed by any number of sources: IBKR's own resets today,
 * windows an operator schedules later. Whoever asks "is this a quiet time?" asks the calendar,
 * never a source, so a new kind of window needs no change in the session keeper.
 */

export interface MaintenanceWindow {
  /** Stable per occurrence (source, kind and start), so events and the API can name it. */
  id: string;
  /** The source's name: 'ibkr-reset', later 'admin'. */
  source: string;
  /** What kind of window inside its source: 'daily', 'weekly', an admin label. */
  kind: string;
  /** Epoch ms, start inclusive, end exclusive. */
  start: number;
  end: number;
  reason: string;
  /** Admin windows: the window an occurrence belongs to, its title and action. */
  windowId?: string;
  title?: string;
  action?: string;
}

export interface WindowSource {
  readonly name: string;
  /** Every window that overlaps [from, to), in any order. Must be cheap: asked on every tickle. */
  windowsBetween(from: number, to: number): MaintenanceWindow[];
}

/** Overlapping or touching windows merged: one quiet period, with every window it is made of. */
export interface CalendarWindow {
  start: number;
  end: number;
  windows: MaintenanceWindow[];
  reason: string;
}

/** What the session keeper needs from a calendar (tests hand it a stub). */
export interface WindowCalendar {
  current(now: number): CalendarWindow | null;
  next(now: number): CalendarWindow | null;
}

export interface CalendarOptions {
  /** How far next() looks ahead. A weekly window must fit: default 8 days. */
  horizonMs?: number;
  /** How far back a chain of merged windows can reach. Default 2 days. */
  lookbackMs?: number;
}

export class MaintenanceCalendar implements WindowCalendar {
  readonly #sources = new Map<string, WindowSource>();
  readonly #horizonMs: number;
  readonly #lookbackMs: number;

  constructor(sources: WindowSource[] = [], options: CalendarOptions = {}) {
    for (const s of sources) this.addSource(s);
    this.#horizonMs = options.horizonMs ?? 8 * 86_400_000;
    this.#lookbackMs = options.lookbackMs ?? 2 * 86_400_000;
  }

  /** Replaces a source of the same name (config reload hands a new IBKR source). */
  addSource(source: WindowSource): void {
    this.#sources.set(source.name, source);
  }

  removeSource(name: string): boolean {
    return this.#sources.delete(name);
  }

  sources(): string[] {
    return [...this.#sources.keys()];
  }

  /** Every source's windows overlapping [from, to), unmerged, sorted by start (the calendar API lists them). */
  occurrences(from: number, to: number): MaintenanceWindow[] {
    const raw: MaintenanceWindow[] = [];
    for (const source of this.#sources.values()) {
      for (const w of source.windowsBetween(from, to)) if (w.end > w.start && w.end > from && w.start < to) raw.push(w);
    }
    return raw.sort((a, b) => a.start - b.start || a.end - b.end);
  }

  /** Merged windows overlapping [from, to), sorted by start. */
  between(from: number, to: number): CalendarWindow[] {
    const raw = this.occurrences(from, to);
    const merged: CalendarWindow[] = [];
    for (const w of raw) {
      const last = merged[merged.length - 1];
      // Touching windows merge too: a daily reset followed at once by the weekly one is one
      // quiet period, and the keeper must not run a "window ended" check between them.
      if (last && w.start <= last.end) {
        last.end = Math.max(last.end, w.end);
        last.windows.push(w);
        last.reason = last.windows.map((x) => x.reason).join('; ');
      } else {
        merged.push({ start: w.start, end: w.end, windows: [w], reason: w.reason });
      }
    }
    return merged.filter((w) => w.end > from && w.start < to);
  }

  /** The quiet period containing `now`, or null. */
  current(now: number): CalendarWindow | null {
    return this.between(now - this.#lookbackMs, now + this.#horizonMs).find((w) => w.start <= now && now < w.end) ?? null;
  }

  /** The first quiet period starting after `now` (within the horizon), or null. */
  next(now: number): CalendarWindow | null {
    return this.between(now - this.#lookbackMs, now + this.#horizonMs).find((w) => w.start > now) ?? null;
  }
}
