/**
 * What each window does at its edges:
 * - restart: a planned restart at the start (with pending changes: they go in, gated);
 * - stop: the gateway is stopped for the window and started after it (if it ran before);
 * - quiet: the gateway keeps running, notifications are held until the end (the calendar
 *   already keeps the session keeper from escalating inside any admin window);
 * - apply: the pending changes, gated, rolled back on failure;
 * - update: the staged gateway version (and the pending changes), gated, rolled back on failure.
 */
import type { EventSink } from '../events.js';
import { silentLogger, type Logger } from '../logger.js';
import type { Change, ChangeRunner, GatewayControl } from './change-runner.js';
import type { ActiveOccurrence } from './maintenance-record.js';
import type { PendingChanges } from './pending-changes.js';
import type { WindowActions } from './scheduler.js';
import type { AdminWindow, WindowAction } from './window-types.js';

/** Holds notifications while a quiet window lasts (the notifications outbox implements it). */
export interface NotificationHold {
  hold(reason: string): void;
  release(reason: string): void;
}

export interface StagedVersionView {
  staged(): { id: string; build: string | null } | null;
  use(id: string | null, reason: string): Promise<void>;
}

export interface WindowActionsOptions {
  gateway: GatewayControl;
  runner: ChangeRunner;
  pending: PendingChanges;
  /** Null unless gateway.kind is clientportal. */
  versions: () => StagedVersionView | null;
  notifier?: () => NotificationHold | null;
  onEvent?: EventSink;
  logger?: Logger;
}

const ACTIVE_STATES = ['starting', 'running', 'backoff'];

export class WindowActionRunner implements WindowActions {
  readonly #log: Logger;

  constructor(private readonly o: WindowActionsOptions) {
    this.#log = o.logger ?? silentLogger;
  }

  gatewayActive(): boolean {
    return ACTIVE_STATES.includes(this.o.gateway.status().state);
  }

  #nothing(label: string, why: string): void {
    this.o.onEvent?.({ type: 'maintenance.nothing', level: 'info', message: `${label}: nothing to do (${why})`, data: { label, why } });
  }

  async begin(a: ActiveOccurrence, run: boolean): Promise<void> {
    const label = `maintenance window "${a.title}" (${a.action})`;
    if (a.action === 'stop') {
      if (this.gatewayActive()) await this.o.gateway.stop(`${label}: stopped until ${new Date(a.end).toISOString()}`);
      return;
    }
    if (a.action === 'quiet') {
      this.o.notifier?.()?.hold(label);
      return;
    }
    if (run) await this.#oneShot(a.action, label);
  }

  async finish(a: ActiveOccurrence): Promise<void> {
    const label = `maintenance window "${a.title}" (${a.action}) ended`;
    if (a.action === 'quiet') this.o.notifier?.()?.release(label);
    // Started again only if it ran when the window began: an operator's stop is not undone.
    if (a.action === 'stop' && a.wasRunning && !this.gatewayActive()) await this.o.gateway.start(label);
  }

  async resume(a: ActiveOccurrence): Promise<void> {
    const label = `maintenance window "${a.title}" (${a.action}), resumed after a daemon restart`;
    if (a.action === 'stop' && this.gatewayActive()) await this.o.gateway.stop(label);
    if (a.action === 'quiet') this.o.notifier?.()?.hold(label);
    // An action the daemon died in the middle of is recovered by MaintenanceService.start().
  }

  async runLate(w: AdminWindow): Promise<void> {
    await this.#oneShot(w.action, `missed maintenance window "${w.title}" (${w.action}), run late`);
  }

  async #oneShot(action: WindowAction, label: string): Promise<void> {
    if (action === 'restart') {
      if (this.o.pending.count() > 0) return this.#runChanges(label, []);
      if (!this.gatewayActive()) return this.#nothing(label, `the gateway is ${this.o.gateway.status().state}`);
      await this.o.gateway.restart(label);
      return;
    }
    if (action === 'apply') {
      if (this.o.pending.count() === 0) return this.#nothing(label, 'no pending changes');
      return this.#runChanges(label, []);
    }
    if (action === 'update') {
      const versions = this.o.versions();
      const staged = versions?.staged() ?? null;
      const extra: Change[] = staged && versions
        ? [{ summary: `switch to gateway version ${staged.id}`, apply: () => versions.use(staged.id, label) }]
        : [];
      if (extra.length === 0 && this.o.pending.count() === 0) return this.#nothing(label, versions ? 'no staged gateway version' : 'gateway versions exist for gateway.kind clientportal only');
      return this.#runChanges(label, extra);
    }
  }

  async #runChanges(label: string, extra: Change[]): Promise<void> {
    const staged = this.o.pending.changes();
    const outcome = await this.o.runner.run(label, [...extra, ...staged]);
    // Applied or rolled back, the staged changes are done: a change that failed once is not
    // retried at every window (the rolled-back event names it; stage it again on purpose).
    await this.o.pending.settle(staged.map((c) => c.id));
    this.#log.info({ outcome }, 'maintenance changes done');
  }
}
