/**
 * Every change to what the gateway runs goes the same way: capture a rollback point, stop the
 * gateway, apply the changes, start it, pass the health gate. A failed gate (or a change that
 * cannot be applied) puts the point back, starts again and gates again; a rollback that fails
 * too leaves the gateway fatal with both reasons, because a third guess could only make it
 * worse. The gateway is stopped first so that every change lands in one start, not one
 * restart each (the conf, access and TLS services each ask for a restart).
 */
import { ERR_MAINTENANCE_BUSY, ERR_NO_ROLLBACK_POINT } from '../errors.js';
import type { EventSink } from '../events.js';
import { silentLogger, type Logger } from '../logger.js';
import type { GateResult } from './health-gate.js';
import type { RollbackPoint, RollbackPoints } from './rollback-point.js';

export interface GatewayControl {
  status(): { state: string; reason?: string | null };
  start(reason: string): Promise<unknown>;
  stop(reason: string): Promise<unknown>;
  restart(reason: string): Promise<unknown>;
  /** Stop whatever runs and stay fatal until an operator starts it (Supervisor.fail). */
  fail(reason: string): Promise<unknown>;
}

export interface Change {
  summary: string;
  apply(): Promise<void>;
}

export type RunResult = 'applied' | 'rolled-back' | 'rollback-failed';

export interface RunOutcome {
  result: RunResult;
  label: string;
  /** Why the change was rolled back. */
  reason?: string;
  /** Why the rollback failed too. */
  rollbackReason?: string;
  /** skipped: the gateway was not running, the changes wait for its next start. */
  gate: 'passed' | 'skipped' | 'failed';
}

export interface ChangeRunnerOptions {
  gateway: GatewayControl;
  points: RollbackPoints;
  gate: () => Promise<GateResult>;
  /** Told while a gate runs: the admin window is hidden from the session keeper then, so it may log in. */
  onGate?: (active: boolean) => void;
  onEvent?: EventSink;
  logger?: Logger;
}

const ACTIVE_STATES = ['starting', 'running', 'backoff'];

export class ChangeRunner {
  #busy: string | null = null;
  readonly #log: Logger;

  constructor(private readonly o: ChangeRunnerOptions) {
    this.#log = o.logger ?? silentLogger;
  }

  /** The label of the change under way, or null. */
  busy(): string | null {
    return this.#busy;
  }

  #event(type: string, level: 'info' | 'warn' | 'error', message: string, data: Record<string, unknown>): void {
    this.o.onEvent?.({ type, level, message, data });
  }

  async #exclusive<T>(label: string, fn: () => Promise<T>): Promise<T> {
    if (this.#busy) throw ERR_MAINTENANCE_BUSY(this.#busy);
    this.#busy = label;
    try {
      return await fn();
    } finally {
      this.#busy = null;
    }
  }

  async #gate(): Promise<GateResult> {
    this.o.onGate?.(true);
    try {
      return await this.o.gate();
    } finally {
      this.o.onGate?.(false);
    }
  }

  /**
   * start + gate. Supervisor.start() resolves only once the attempt has an outcome — for a
   * gateway that never listens, after gateway.startTimeoutMs — so the gate does not wait for
   * it: its clock starts as soon as the start is under way. A start that throws fails the gate.
   */
  async #startAndGate(reason: string): Promise<GateResult> {
    let startError: Error | null = null;
    const started = this.o.gateway.start(reason).then(() => true, (err: Error) => { startError = err; return true; });
    const underway = async (): Promise<boolean> => {
      for (;;) {
        if (!['stopped', 'stopping'].includes(this.o.gateway.status().state)) return true;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await Promise.race([started, underway()]);
    if (startError) return { ok: false, reason: `gateway start failed: ${(startError as Error).message}` };
    return this.#gate();
  }

  run(label: string, changes: Change[]): Promise<RunOutcome> {
    return this.#exclusive(label, async () => {
      const wasActive = ACTIVE_STATES.includes(this.o.gateway.status().state);
      const point = await this.o.points.capture(label);
      this.#event('maintenance.applying', 'info', `${label}: applying ${changes.map((c) => c.summary).join('; ') || 'a restart'}`, {
        label, changes: changes.map((c) => c.summary), rollbackTo: point.parts.map((p) => p.summary),
      });
      if (wasActive) await this.o.gateway.stop(`${label}: applying changes`);
      for (const change of changes) {
        try {
          await change.apply();
        } catch (err) {
          return this.#rollBack(point, label, `could not apply "${change.summary}": ${(err as Error).message}`, wasActive);
        }
      }
      if (!wasActive) {
        await this.o.points.setStatus(point, 'applied');
        this.#event('maintenance.applied', 'info', `${label}: applied; the gateway is ${this.o.gateway.status().state}, so the changes take effect at its next start (no health gate)`, { label, gate: 'skipped' });
        return { result: 'applied', label, gate: 'skipped' };
      }
      const gate = await this.#startAndGate(`${label}: changes applied`);
      if (!gate.ok) return this.#rollBack(point, label, gate.reason, true);
      await this.o.points.setStatus(point, 'applied');
      this.#event('maintenance.applied', 'info', `${label}: applied, health gate passed`, { label, gate: 'passed', session: gate.session });
      return { result: 'applied', label, gate: 'passed' };
    });
  }

  async #rollBack(point: RollbackPoint, label: string, reason: string, startAfter: boolean): Promise<RunOutcome> {
    this.#log.warn({ label, reason }, 'rolling back');
    let failure: string | null = null;
    try {
      await this.o.gateway.stop(`${label}: rolling back`);
      await this.o.points.restore(point, reason);
    } catch (err) {
      failure = `restoring failed: ${(err as Error).message}`;
    }
    if (failure === null && startAfter) {
      const gate = await this.#startAndGate(`rollback: ${label}`);
      if (!gate.ok) failure = gate.reason;
    }
    const restored = point.parts.map((p) => p.summary);
    if (failure === null) {
      await this.o.points.setStatus(point, 'rolled-back');
      this.#event('maintenance.rolled-back', 'warn', `${label} failed (${reason}); rolled back to ${restored.join(', ') || 'what ran before'}`, { label, reason, restored, gate: startAfter ? 'passed' : 'skipped' });
      return { result: 'rolled-back', label, reason, gate: 'failed' };
    }
    await this.#fatal(point, label, reason, failure, restored);
    return { result: 'rollback-failed', label, reason, rollbackReason: failure, gate: 'failed' };
  }

  async #fatal(point: RollbackPoint, label: string, reason: string, rollbackReason: string, restored: string[]): Promise<void> {
    const both = `${label} failed: ${reason}; the rollback failed too: ${rollbackReason}`;
    await this.o.gateway.fail(both).catch((err: Error) => this.#log.error({ err }, 'could not put the gateway in fatal state'));
    await this.o.points.setStatus(point, 'rollback-failed');
    this.#event('maintenance.rollback-failed', 'error', both, { label, reason, rollbackReason, restored });
  }

  /** An operator's rollback to what ran before the last applied change. */
  rollbackLast(label = 'manual rollback'): Promise<RunOutcome> {
    return this.#exclusive(label, async () => {
      const point = await this.o.points.load();
      if (!point || point.status !== 'applied') throw ERR_NO_ROLLBACK_POINT(point ? `the last change (${point.label}) is ${point.status}` : 'no change was applied yet');
      const wasActive = ACTIVE_STATES.includes(this.o.gateway.status().state);
      let failure: string | null = null;
      try {
        await this.o.gateway.stop(label);
        await this.o.points.restore(point, label);
      } catch (err) {
        failure = `restoring failed: ${(err as Error).message}`;
      }
      if (failure === null && wasActive) {
        const gate = await this.#startAndGate(label);
        if (!gate.ok) failure = gate.reason;
      }
      const restored = point.parts.map((p) => p.summary);
      if (failure !== null) {
        await this.#fatal(point, label, `undo of ${point.label}`, failure, restored);
        return { result: 'rollback-failed', label, reason: `undo of ${point.label}`, rollbackReason: failure, gate: 'failed' };
      }
      await this.o.points.setStatus(point, 'rolled-back');
      this.#event('maintenance.rolled-back', 'info', `${label}: ${point.label} undone; back to ${restored.join(', ')}`, { label, reason: 'operator', manual: true, restored, gate: wasActive ? 'passed' : 'skipped' });
      return { result: 'rolled-back', label, reason: 'operator', gate: wasActive ? 'passed' : 'skipped' };
    });
  }

  /**
   * The daemon died in the middle of a change: once the gateway runs again, gate it; a failure
   * rolls back to the point captured before the change.
   */
  recover(): Promise<RunOutcome | null> {
    return this.#exclusive('recovery of an interrupted change', async () => {
      const point = await this.o.points.load();
      if (!point || point.status !== 'in-progress') return null;
      const label = `${point.label} (interrupted by a daemon restart)`;
      const gate = ACTIVE_STATES.includes(this.o.gateway.status().state) ? await this.#gate() : await this.#startAndGate(label);
      if (!gate.ok) return this.#rollBack(point, label, gate.reason, true);
      await this.o.points.setStatus(point, 'applied');
      this.#event('maintenance.applied', 'info', `${label}: health gate passed`, { label, gate: 'passed' });
      return { result: 'applied', label, gate: 'passed' };
    });
  }
}
