/**
 * Maintenance as one service for the daemon and the API: admin windows (validated, stored,
 * joined to the calendar), the scheduler that acts on them, the pending-change queue, the
 * change runner with its health gate and rollback, and the plan preview. The daemon hands it
 * narrow views of the supervisor, session keeper, conf/access/TLS services and gateway
 * versions; it owns none of them.
 */
import { join } from 'node:path';
import { ERR_GATEWAY_UNMANAGED, ERR_MAINTENANCE_BUSY, ERR_NO_ROLLBACK_POINT } from '../errors.js';
import type { EventSink } from '../events.js';
import { silentLogger, type Logger } from '../logger.js';
import { AdminWindowSource, asCalendarWindow } from './admin-source.js';
import type { MaintenanceCalendar, MaintenanceWindow } from './calendar.js';
import { ChangeRunner, type GatewayControl, type RunOutcome } from './change-runner.js';
import type { MaintenanceConfig } from '../config/maintenance-schema.js';
import { runHealthGate, type GateSessionView } from './health-gate.js';
import type { MaintenanceStore } from './maintenance-record.js';
import { PendingChanges, type ChangeTargets, type PendingInput } from './pending-changes.js';
import { certificatePart, confPart, versionPart, type ConfSnapshotView } from './restore-parts.js';
import { RollbackPoints } from './rollback-point.js';
import { MaintenanceScheduler, type Timers } from './scheduler.js';
import type { GatewayVersions } from './versions/version-store.js';
import { WindowActionRunner, type NotificationHold } from './window-actions.js';
import { WindowBook } from './window-book.js';
import type { NowInput, WindowInput } from './window-schema.js';
import type { AdminWindow, Occurrence } from './window-types.js';

export interface MaintenanceServiceOptions {
  dataDir: string;
  config: () => MaintenanceConfig;
  store: MaintenanceStore;
  /** The daemon's calendar (IBKR resets in it): the admin windows join it. */
  calendar: MaintenanceCalendar;
  /** The Supervisor. */
  gateway: GatewayControl;
  /** The session keeper, null when off. */
  session?: () => GateSessionView | null;
  /** True when the daemon can log in by itself: then the health gate asks for an authenticated session. */
  hasCredentials?: () => boolean;
  notifier?: () => NotificationHold | null;
  /** conf/access/TLS of the current gateway handle (+ versions), for staged changes. */
  targets: () => ChangeTargets;
  /** What a rollback restores: the managed conf and the TLS folder of the current gateway handle. */
  snapshots: { conf: () => ConfSnapshotView | null; tlsDir: () => string | null };
  /** Null unless gateway.kind is clientportal. */
  versions?: () => GatewayVersions | null;
  now?: () => number;
  timers?: Timers;
  /** Real-time sleep of the health gate (its own clock, not the scheduler's). */
  gateSleep?: (ms: number) => Promise<void>;
  maxSleepMs?: number;
  onEvent?: EventSink;
  logger?: Logger;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class MaintenanceService {
  readonly book: WindowBook;
  readonly source: AdminWindowSource;
  readonly scheduler: MaintenanceScheduler;
  readonly runner: ChangeRunner;
  readonly pending: PendingChanges;
  readonly points: RollbackPoints;
  readonly #o: MaintenanceServiceOptions;
  readonly #now: () => number;
  readonly #log: Logger;
  #background: Promise<unknown> = Promise.resolve();

  constructor(options: MaintenanceServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#log = options.logger ?? silentLogger;
    const config = options.config;
    this.book = new WindowBook({ store: options.store, limits: () => config(), now: this.#now });
    this.source = new AdminWindowSource(this.book);
    const versions = () => options.versions?.() ?? null;
    this.points = new RollbackPoints(join(options.dataDir, 'maintenance', 'rollback'), () => [
      confPart(options.snapshots.conf), certificatePart(options.snapshots.tlsDir), versionPart(versions),
    ], this.#now);
    this.runner = new ChangeRunner({
      gateway: options.gateway,
      points: this.points,
      gate: () => runHealthGate({
        gateway: options.gateway, session: options.session ?? (() => null), hasCredentials: options.hasCredentials ?? (() => false),
        sessionExempt: () => this.#ibkrResetNow(), ...config().healthGate, sleep: options.gateSleep,
      }),
      onGate: (active) => this.source.hideCurrent(active ? this.#now : null),
      onEvent: options.onEvent,
      logger: this.#log,
    });
    this.pending = new PendingChanges({ file: join(options.dataDir, 'maintenance', 'pending.json'), targets: options.targets, now: this.#now, onEvent: options.onEvent });
    this.scheduler = new MaintenanceScheduler({
      book: this.book,
      store: options.store,
      actions: new WindowActionRunner({ gateway: options.gateway, runner: this.runner, pending: this.pending, versions, notifier: options.notifier, onEvent: options.onEvent, logger: this.#log }),
      noticeLeadMinutes: () => config().noticeLeadMinutes,
      now: this.#now,
      timers: options.timers,
      maxSleepMs: options.maxSleepMs,
      onEvent: options.onEvent,
      logger: this.#log,
    });
  }

  /** Inside one of IBKR's resets no login happens: the gate does not ask for the session then. */
  #ibkrResetNow(): boolean {
    return this.#o.calendar.current(this.#now())?.windows.some((w) => w.source !== this.source.name) ?? false;
  }

  #event(type: string, message: string, data: Record<string, unknown>): void {
    this.#o.onEvent?.({ type, level: 'info', message, data });
  }

  async start(): Promise<void> {
    this.#o.calendar.addSource(this.source);
    await this.scheduler.start();
    // A change the daemon died in the middle of (in a window or not): gate what runs, roll back on failure.
    const point = await this.points.load();
    if (point?.status === 'in-progress') this.#inBackground(`recovery of ${point.label}`, async () => (await this.runner.recover()) ?? { result: 'applied', label: point.label, gate: 'skipped' });
  }

  async stop(): Promise<void> {
    await this.scheduler.stop();
    this.#o.calendar.removeSource(this.source.name);
  }

  /** False inside a stop window: the daemon must not autostart the gateway. */
  gatewayShouldRun(): boolean {
    return this.scheduler.gatewayShouldRun();
  }

  /** Tests and shutdown: the scheduler's look and any action or background change are done. */
  async settled(): Promise<void> {
    await this.#background;
    await this.scheduler.settled();
    await this.#background;
  }

  // --- windows ---------------------------------------------------------------------------------

  #view(w: AdminWindow): AdminWindow & { next: { start: string; end: string } | null } {
    const now = this.#now();
    const o = this.book.occurrences(now, now + this.#o.config().overlapHorizonDays * 86_400_000).find((x) => x.window.id === w.id);
    return { ...w, next: o ? { start: iso(o.start), end: iso(o.end) } : null };
  }

  listWindows() {
    return this.book.list().map((w) => this.#view(w));
  }

  getWindow(id: string) {
    return this.#view(this.book.get(id));
  }

  addWindow(input: WindowInput, createdBy: string) {
    const w = this.book.add(input, createdBy);
    this.#event('maintenance.window-added', `maintenance window "${w.title}" (${w.action}) added by ${createdBy}`, { windowId: w.id, title: w.title, action: w.action, schedule: w.schedule, createdBy });
    this.scheduler.poke();
    return this.#view(w);
  }

  replaceWindow(id: string, input: WindowInput, by: string) {
    const active = this.scheduler.current();
    if (active?.windowId === id) throw ERR_MAINTENANCE_BUSY(`window ${id} is on now; end it first (POST /api/v1/maintenance/end)`);
    const w = this.book.replace(id, input, by);
    this.#event('maintenance.window-changed', `maintenance window "${w.title}" (${w.action}) changed by ${by}`, { windowId: w.id, title: w.title, action: w.action, schedule: w.schedule, by });
    this.scheduler.poke();
    return this.#view(w);
  }

  async removeWindow(id: string, by: string) {
    this.book.get(id);
    if (this.scheduler.current()?.windowId === id) await this.scheduler.endNow();
    const w = this.book.remove(id);
    this.#event('maintenance.window-removed', `maintenance window "${w.title}" (${w.action}) removed by ${by}`, { windowId: w.id, title: w.title, by });
    this.scheduler.poke();
    return w;
  }

  skipNext(id: string, by: string) {
    const o = this.book.skipNext(id);
    this.#event('maintenance.skipped', `the ${iso(o.start)} occurrence of maintenance window "${o.window.title}" will be skipped (${by})`, { windowId: id, start: iso(o.start), end: iso(o.end), by });
    this.scheduler.poke();
    return { windowId: id, start: iso(o.start), end: iso(o.end) };
  }

  /** "Maintenance now for N minutes" (action quiet unless said otherwise). */
  async now(input: NowInput, createdBy: string) {
    const active = this.scheduler.current();
    if (active) throw ERR_MAINTENANCE_BUSY(`maintenance window "${active.title}" is on until ${iso(active.end)}`);
    const action = input.action ?? 'quiet';
    const w = this.book.addNow(input.minutes, action, input.title ?? `maintenance now (${action})`, input.reason ?? '', createdBy);
    // Answered once the window began; its action (a restart, a gated update) goes on after.
    await this.scheduler.look();
    return this.#view(w);
  }

  async end() {
    const a = await this.scheduler.endNow();
    return { windowId: a.windowId, title: a.title, action: a.action, start: iso(a.start), end: iso(this.#now()) };
  }

  // --- calendar, next, status -----------------------------------------------------------------

  /** Occurrences over the next `days` days, IBKR's resets included (source "ibkr"). */
  calendar(days: number): Array<Omit<MaintenanceWindow, 'start' | 'end'> & { start: string; end: string }> {
    const now = this.#now();
    const to = now + days * 86_400_000;
    const others = this.#o.calendar.occurrences(now, to).filter((w) => w.source !== this.source.name);
    const admin = this.book.occurrences(now, to).map((o) => asCalendarWindow(o, 'admin'));
    return [...others, ...admin]
      .sort((a, b) => a.start - b.start)
      .map((w) => ({ ...w, source: w.source === 'ibkr-reset' ? 'ibkr' : w.source, start: iso(w.start), end: iso(w.end) }));
  }

  #occurrenceView(o: Occurrence | null, active: boolean) {
    return o ? { windowId: o.window.id, title: o.window.title, action: o.window.action, start: iso(o.start), end: iso(o.end), active } : null;
  }

  /** The admin window on now, else the next one (what local apps read: no token needed). */
  next() {
    const now = this.#now();
    const current = this.book.current(now);
    return current ? this.#occurrenceView(current, true) : this.#occurrenceView(this.book.next(now), false);
  }

  /** For GET /api/v1/status: the current and next window, the change under way, what waits. */
  status() {
    const now = this.#now();
    const a = this.scheduler.current();
    return {
      current: a ? { windowId: a.windowId, title: a.title, action: a.action, start: iso(a.start), end: iso(this.book.endOf(a.windowId, a.start, a.end)), phase: a.phase, late: a.late, actionSkipped: a.actionSkipped ?? null } : null,
      next: this.#occurrenceView(this.book.next(now), false),
      running: this.runner.busy(),
      pending: this.pending.count(),
      gatewayShouldRun: this.gatewayShouldRun(),
    };
  }

  // --- changes ---------------------------------------------------------------------------------

  stage(input: PendingInput, createdBy: string) {
    return this.pending.stage(input, createdBy);
  }

  #inBackground(what: string, run: () => Promise<RunOutcome>): { started: string } {
    if (this.runner.busy()) throw ERR_MAINTENANCE_BUSY(this.runner.busy()!);
    this.#background = run().catch((err: Error) => {
      this.#log.error({ err }, `${what} failed`);
      this.#o.onEvent?.({ type: 'maintenance.action-failed', level: 'warn', message: `${what} failed: ${err.message}`, data: { label: what, error: err.message } });
    });
    return { started: what };
  }

  /** Manual rollback to what ran before the last applied change (gated; runs in the background). */
  async rollback(): Promise<{ started: string }> {
    const point = await this.points.load();
    if (!point || point.status !== 'applied') throw ERR_NO_ROLLBACK_POINT(point ? `the last change (${point.label}) is ${point.status}` : 'no change was applied yet');
    return this.#inBackground(`rollback of ${point.label}`, () => this.runner.rollbackLast(`manual rollback of ${point.label}`));
  }

  /** `ibgw gateway use ID`: now (gated, rolled back on failure) or staged for the next window. */
  async useVersion(id: string, when: 'now' | 'next-window', by: string) {
    const versions = this.#o.versions?.() ?? null;
    if (when === 'next-window') return { staged: await this.stage({ kind: 'gateway-version', id }, by) };
    if (!versions) throw ERR_GATEWAY_UNMANAGED('gateway versions', 'they exist for gateway.kind clientportal only');
    versions.get(id);
    const label = `switch to gateway version ${id}`;
    return this.#inBackground(label, () => this.runner.run(label, [{ summary: label, apply: () => versions.use(id, `${label} (${by})`) }]));
  }

  /** What the next (or current) window will change, and what a rollback would return to. */
  async plan() {
    const now = this.#now();
    const current = this.book.current(now);
    const o = current ?? this.book.next(now);
    const versions = this.#o.versions?.() ?? null;
    const action = o?.window.action ?? null;
    const applies = action === 'apply' || action === 'update' || (action === 'restart' && this.pending.count() > 0);
    const staged = action === 'update' ? versions?.staged() ?? null : null;
    const last = await this.points.load();
    const gate = this.#o.config().healthGate;
    return {
      window: this.#occurrenceView(o, current !== null),
      changes: applies ? this.pending.list() : [],
      version: staged ? { from: versions!.activeId(), to: staged.id, build: staged.build } : null,
      rollbackTo: applies ? await this.points.describe() : [],
      gate: { timeoutMs: gate.timeoutMs, stableMs: gate.stableMs, session: Boolean(this.#o.hasCredentials?.() && this.#o.session?.()) },
      lastChange: last ? { label: last.label, status: last.status, at: last.createdAt, rollbackTo: last.parts.map((p) => p.summary) } : null,
    };
  }
}
