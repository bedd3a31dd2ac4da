/**
 * When things happen: notices ahead of each window, its start, its end — on an injected clock
 * and timers, so a test can walk through a week in milliseconds. What happens at those edges
 * is WindowActions' business. The scheduler's position lives in the store, so a daemon
 * restarted inside a window resumes it (a stop window keeps the gateway stopped), and one that
 * was down while a window passed reports it missed instead of running it late — unless the
 * window says runIfMissed.
 */
import { ERR_MAINTENANCE_NOT_ACTIVE } from '../errors.js';
import type { EventSink } from '../events.js';
import { silentLogger, type Logger } from '../logger.js';
import type { ActiveOccurrence, MaintenanceStore } from './maintenance-record.js';
import type { WindowBook } from './window-book.js';
import { occurrenceKey, ONE_SHOT_ACTIONS, type AdminWindow, type Occurrence } from './window-types.js';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** What happens at a window's edges (window-actions.ts). */
export interface WindowActions {
  /** The gateway is starting or running (a stop window starts it again afterwards only then). */
  gatewayActive(): boolean;
  /** At the start; `run` false: a one-shot action whose start the daemon missed (no runIfMissed). */
  begin(active: ActiveOccurrence, run: boolean): Promise<void>;
  finish(active: ActiveOccurrence): Promise<void>;
  /** A daemon restarted inside the window: make its state hold again. */
  resume(active: ActiveOccurrence): Promise<void>;
  /** runIfMissed: an occurrence passed entirely while the daemon was down. */
  runLate(window: AdminWindow): Promise<void>;
}

export interface SchedulerOptions {
  book: WindowBook;
  store: MaintenanceStore;
  actions: WindowActions;
  noticeLeadMinutes: () => number;
  now?: () => number;
  timers?: Timers;
  /** Longest sleep between looks: a wall clock that jumps (suspend, NTP) is noticed this soon. */
  maxSleepMs?: number;
  onEvent?: EventSink;
  logger?: Logger;
}

const MISSED_LOOKBACK_MS = 7 * 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

export class MaintenanceScheduler {
  readonly #o: SchedulerOptions;
  readonly #now: () => number;
  readonly #timers: Timers;
  readonly #log: Logger;
  #startedAt = 0;
  #timer: unknown = null;
  #chain: Promise<void> = Promise.resolve();
  #acting: Promise<void> | null = null;
  #running = false;

  constructor(options: SchedulerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? realTimers;
    this.#log = options.logger ?? silentLogger;
  }

  #event(type: string, level: 'info' | 'warn', message: string, data: Record<string, unknown>): void {
    this.#o.onEvent?.({ type, level, message, data });
  }

  #record() {
    return this.#o.store.maintenance();
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#startedAt = this.#now();
    const active = this.#record().active;
    if (active) {
      const end = this.#o.book.endOf(active.windowId, active.start, active.end);
      if (this.#startedAt < end) {
        this.#event('maintenance.resumed', 'info', `daemon restarted inside maintenance window "${active.title}" (${active.action}) until ${iso(end)}`, { ...this.#describe(active), end: iso(end) });
        this.#act(() => this.#o.actions.resume(active));
      }
    }
    if (this.#record().checkedUntil === null) this.#o.store.updateMaintenance((r) => { r.checkedUntil = this.#startedAt; });
    this.poke();
    await this.#chain;
  }

  /** Bounded: an action under way (a health gate can take minutes) is left; a restarted daemon recovers it. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    await this.#chain;
    await this.#o.store.flush();
  }

  /** Look now (a window was added or changed, or time moved). */
  poke(): void {
    if (!this.#running) return;
    this.#chain = this.#chain.then(() => this.#tick()).catch((err: Error) => this.#log.error({ err }, 'maintenance tick failed'));
  }

  /** Look now and wait for the look (not for an action it starts). */
  async look(): Promise<void> {
    this.poke();
    await this.#chain;
  }

  /** Resolves when the current look and any action it started are done (tests, shutdown). */
  async settled(): Promise<void> {
    for (;;) {
      const chain = this.#chain;
      const acting = this.#acting;
      await chain;
      await acting;
      if (chain === this.#chain && acting === this.#acting) return;
    }
  }

  current(): ActiveOccurrence | null {
    return this.#record().active;
  }

  /** False while a stop window is on: the daemon must not autostart the gateway then. */
  gatewayShouldRun(): boolean {
    const a = this.#record().active;
    return !(a && a.action === 'stop' && this.#now() < this.#o.book.endOf(a.windowId, a.start, a.end));
  }

  /** "End now": the current window ends at this instant (its end actions run). */
  async endNow(): Promise<ActiveOccurrence> {
    const a = this.#record().active;
    if (!a) throw ERR_MAINTENANCE_NOT_ACTIVE('');
    this.#o.book.endEarly(a.windowId, a.start, this.#now());
    this.poke();
    await this.#chain;
    return a;
  }

  #describe(a: ActiveOccurrence): Record<string, unknown> {
    return { windowId: a.windowId, title: a.title, action: a.action, start: iso(a.start), end: iso(a.end) };
  }

  #act(fn: () => Promise<void>): void {
    const run = (this.#acting ?? Promise.resolve()).then(fn).catch((err: Error) => {
      this.#log.error({ err }, 'maintenance action failed');
      this.#event('maintenance.action-failed', 'warn', `maintenance action failed: ${err.message}`, { error: err.message });
    });
    const tracked = run.finally(() => {
      if (this.#acting === tracked) this.#acting = null;
      this.poke(); // the end may have come while the action ran
    });
    this.#acting = tracked;
  }

  async #tick(): Promise<void> {
    if (!this.#running) return;
    const now = this.#now();
    this.#endIfDue(now);
    this.#reportMissed(now);
    if (!this.#record().active) {
      const occ = this.#o.book.current(now);
      if (occ) this.#begin(occ, now);
    }
    this.#notices(now);
    this.#arm(now);
  }

  #endIfDue(now: number): void {
    const a = this.#record().active;
    // An action still under way finishes first: a window never ends in the middle of its gate.
    if (!a || this.#acting || now < this.#o.book.endOf(a.windowId, a.start, a.end)) return;
    this.#o.store.updateMaintenance((r) => { r.active = null; });
    const late = now - a.end > 60_000;
    this.#event('maintenance.end', 'info', `maintenance window "${a.title}" (${a.action}) ended`, { ...this.#describe(a), endedAt: iso(now), late });
    this.#act(() => this.#o.actions.finish(a));
    this.#o.book.prune(now);
  }

  #begin(occ: Occurrence, now: number): void {
    const w = occ.window;
    // Late: the daemon was down when it began. A window made (or changed) after its
    // occurrence began is not late: whoever made it wants it now.
    const late = occ.start < this.#startedAt && Date.parse(w.updatedAt) <= occ.start;
    const run = !late || w.runIfMissed || !ONE_SHOT_ACTIONS.includes(w.action);
    const active: ActiveOccurrence = {
      windowId: w.id, title: w.title, action: w.action, start: occ.start, end: occ.end,
      wasRunning: this.#o.actions.gatewayActive(), phase: ONE_SHOT_ACTIONS.includes(w.action) ? 'acting' : 'holding', late,
      ...(run ? {} : { actionSkipped: 'the daemon was down at the window start (runIfMissed is off)' }),
    };
    this.#o.store.updateMaintenance((r) => {
      r.active = active;
      r.checkedUntil = Math.max(r.checkedUntil ?? occ.start, occ.start);
    });
    void this.#o.store.flush();
    this.#event('maintenance.start', 'info', `maintenance window "${w.title}" (${w.action}) started${late ? ' late (the daemon was down at its start)' : ''}${run ? '' : '; its action is not run late'}`, {
      ...this.#describe(active), reason: w.reason, late, actionSkipped: active.actionSkipped ?? null, startedAt: iso(now),
    });
    this.#act(async () => {
      await this.#o.actions.begin(active, run);
      this.#o.store.updateMaintenance((r) => {
        if (r.active && r.active.windowId === active.windowId && r.active.start === active.start) r.active.phase = active.phase === 'acting' ? 'done' : 'holding';
      });
    });
  }

  /** Occurrences that began and ended while nobody looked (the daemon was down). */
  #reportMissed(now: number): void {
    const since = this.#record().checkedUntil;
    if (since === null) return;
    const missed = this.#o.book.occurrences(Math.max(since, now - MISSED_LOOKBACK_MS), now).filter((o) => o.start > since && o.end <= now);
    if (missed.length === 0) return;
    const byWindow = new Map<string, Occurrence[]>();
    for (const o of missed) byWindow.set(o.window.id, [...(byWindow.get(o.window.id) ?? []), o]);
    for (const [, list] of byWindow) {
      const w = list[0].window;
      const runLate = w.runIfMissed && ONE_SHOT_ACTIONS.includes(w.action);
      this.#event('maintenance.missed', 'warn', `maintenance window "${w.title}" (${w.action}) passed while the daemon was down${list.length > 1 ? ` (${list.length} times)` : ''}; ${runLate ? 'running its action now (runIfMissed)' : 'not run late'}`, {
        windowId: w.id, title: w.title, action: w.action, occurrences: list.map((o) => iso(o.start)), runLate,
      });
      if (runLate) this.#act(() => this.#o.actions.runLate(w));
    }
    this.#o.store.updateMaintenance((r) => { r.checkedUntil = Math.max(since, ...missed.map((o) => o.start)); });
  }

  #leadMs(w: AdminWindow): number {
    return (w.noticeMinutes ?? this.#o.noticeLeadMinutes()) * 60_000;
  }

  #maxLeadMs(): number {
    return Math.max(this.#o.noticeLeadMinutes(), ...this.#o.book.list().map((w) => w.noticeMinutes ?? 0)) * 60_000;
  }

  #notices(now: number): void {
    const noticed = new Set(this.#record().noticed);
    for (const o of this.#o.book.occurrences(now + 1, now + this.#maxLeadMs() + 1)) {
      const lead = this.#leadMs(o.window);
      const key = occurrenceKey(o.window.id, o.start);
      if (lead <= 0 || o.start <= now || now < o.start - lead || noticed.has(key)) continue;
      this.#o.store.updateMaintenance((r) => { r.noticed = [...r.noticed, key].slice(-200); });
      const minutes = Math.round((o.start - now) / 60_000);
      this.#event('maintenance.notice', 'info', `maintenance window "${o.window.title}" (${o.window.action}) starts in ${minutes} min, at ${iso(o.start)}, until ${iso(o.end)}`, {
        windowId: o.window.id, title: o.window.title, action: o.window.action, reason: o.window.reason, start: iso(o.start), end: iso(o.end), inMinutes: minutes,
      });
    }
  }

  /** Sleep until the next edge: a notice, a start, the current end — never longer than maxSleepMs. */
  #arm(now: number): void {
    if (!this.#running) return;
    const edges: number[] = [now + (this.#o.maxSleepMs ?? 30_000)];
    const a = this.#record().active;
    if (a) edges.push(this.#o.book.endOf(a.windowId, a.start, a.end));
    const next = this.#o.book.next(now);
    if (next) edges.push(next.start, next.start - this.#leadMs(next.window));
    for (const o of this.#o.book.occurrences(now + 1, now + this.#maxLeadMs() + 1)) edges.push(o.start - this.#leadMs(o.window));
    const at = Math.min(...edges.filter((t) => t > now));
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      this.poke();
    }, Math.max(1, at - now));
  }
}
