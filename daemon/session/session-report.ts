/**
 * What the session keeper tells the world: its state and why, the events, the counters and the
 * state-change history behind uptime. The keeper decides; this says what was decided, once.
 * Nothing here logs: every event goes to the sink, and the daemon's sink stores and logs it.
 */
import type { EventLevel, EventSink } from '../events.js';
import type { CalendarWindow } from '../maintenance/calendar.js';
import { ConnectionHistory } from './connection-history.js';
import type { GatewayClient } from './gateway-client.js';
import type { RecoveryRecord, SessionMetrics, SessionStatus } from './keeper-types.js';
import { LADDER_LEVELS, ladderLevel, type KeeperState } from './ladder.js';
import type { LoginBlock } from './login-budget.js';
import type { SessionReading } from './session-state.js';

/** States that want a person's attention, unless a maintenance window explains them. */
const WARN_STATES = new Set<KeeperState>([
  'needs-login', 'login-budget-spent', 'login-blocked', 'access-denied', 'restarting',
  'unresponsive', 'ibkr-unreachable', 'gateway-error', 'http-error',
]);

const DAY = 86_400_000;

export interface SessionReportOptions {
  onEvent: EventSink;
  now: () => number;
  /** State-change history for uptime; null: memory only. */
  historyPath: string | null;
  /** Inside a maintenance window trouble is expected: state changes are info, not warn. */
  inMaintenance: () => boolean;
}

/** What the status needs from the keeper's other parts, at the moment it is asked for. */
export interface StatusFacts {
  reading: SessionReading | null;
  lastTickleAt: number | null;
  lastTickleMs: number | null;
  loginsToday: number;
  loginUrl: string;
  loginBlocked: LoginBlock | null;
  penaltyUntil: number | null;
  window: CalendarWindow | null;
  /** The ladder's rungs below the session: process alive, port ready, HTTP answering. */
  running: boolean;
  ready: boolean;
  answering: boolean;
  hangCount: number;
  recoveryAttempts: number;
  restartsInRow: number;
  nextCheckAt: number | null;
}

export class SessionReport {
  readonly #onEvent: EventSink;
  readonly #now: () => number;
  readonly #inMaintenance: () => boolean;
  readonly #history: ConnectionHistory;
  #state: KeeperState = 'stopped';
  #since: number;
  #reason: string | null = 'not started';
  #lastRecovery: RecoveryRecord | null = null;
  /** The spent-budget reason already reported: said once, not at every look. */
  #budgetReported: string | null = null;
  readonly #counters: SessionMetrics['counters'] = { tickles: 0, restartsRequested: 0, recoveries: 0, recoveriesOk: 0, logins: 0, penalties: 0 };

  constructor(options: SessionReportOptions) {
    this.#onEvent = options.onEvent;
    this.#now = options.now;
    this.#inMaintenance = options.inMaintenance;
    this.#history = new ConnectionHistory({ path: options.historyPath, now: options.now, onError: (err) => this.storeError(err) });
    this.#since = this.#now();
  }

  get state(): KeeperState { return this.#state; }
  get since(): number { return this.#since; }
  get reason(): string | null { return this.#reason; }

  /** The reason always; the state, its history entry and its event only when it changes. */
  setState(state: KeeperState, reason: string | null): void {
    this.#reason = reason;
    if (state === 'authenticated') this.#budgetReported = null; // healthy again: the next spent budget is news
    if (state === this.#state) return;
    const from = this.#state;
    const now = this.#now();
    this.#state = state;
    this.#since = now;
    this.#history.record(state, state === 'authenticated' ? true : state === 'stopped' || state === 'unknown' ? null : false, now);
    const inMaintenance = this.#inMaintenance();
    const level: EventLevel = WARN_STATES.has(state) && !inMaintenance ? 'warn' : 'info';
    this.event('session.state', level, `session ${from} → ${state}${reason ? `: ${reason}` : ''}`, { from, to: state, reason, at: now, inMaintenance });
  }

  event(type: string, level: EventLevel, message: string, data?: Record<string, unknown>): void {
    try { this.#onEvent({ type, level, message, ...(data ? { data } : {}) }); } catch { /* a sink's failure is not ours */ }
  }

  count(counter: 'tickles' | 'logins'): void {
    this.#counters[counter]++;
  }

  /** A state file (login budget, history) could not be read or written. */
  storeError(err: Error): void {
    this.event('session.store-error', 'warn', err.message);
  }

  recovery(kind: RecoveryRecord['kind'], result: string, ms: number, detail: string): void {
    if (kind !== 'restart') {
      this.#counters.recoveries++;
      if (result === 'ok') this.#counters.recoveriesOk++;
    }
    this.#lastRecovery = { kind, result, at: this.#now(), ms: Math.round(ms), detail };
    this.event('session.recovery', result === 'ok' || result === 'requested' ? 'info' : 'warn', `${kind}: ${result} (${detail})`, { ...this.#lastRecovery });
  }

  recovered(kind: string, ms: number): void {
    this.event('session.recovered', 'info', `brokerage session back after ${Math.round(ms)} ms (${kind})`, { kind, ms: Math.round(ms) });
  }

  restartRequested(reason: string): void {
    this.#counters.restartsRequested++;
    this.recovery('restart', 'requested', 0, reason);
    this.setState('restarting', reason);
    this.event('session.restart', 'warn', `restarting the gateway: ${reason}`, { reason });
  }

  penalty(what: string, until: number): void {
    this.#counters.penalties++;
    this.event('session.penalty', 'warn', `gateway answered 429 to ${what}: only tickles until ${new Date(until).toISOString()}`, { until });
  }

  maintenance(edge: 'entered' | 'ended', w: CalendarWindow): void {
    if (edge === 'entered') {
      this.event('session.maintenance', 'info', `maintenance window until ${new Date(w.end).toISOString()}: failures expected, no logins, restarts or escalation`, { start: w.start, end: w.end, reason: w.reason, active: true });
    } else {
      this.event('session.maintenance', 'info', 'maintenance window ended: one planned recovery check', { start: w.start, end: w.end, active: false });
    }
  }

  budgetSpent(reason: string, retryAt: number | null): void {
    if (this.#budgetReported === reason) return;
    this.#budgetReported = reason;
    this.event('session.login-budget', 'warn', `no automated login: ${reason}`, { retryAt });
  }

  status(f: StatusFacts): SessionStatus {
    const authenticated = this.#state === 'authenticated';
    const level = ladderLevel({ running: f.running, ready: f.ready, answering: f.answering, authenticated });
    const r = f.reading;
    const w = f.window;
    return {
      state: this.#state, since: this.#since, reason: this.#reason, authenticated,
      connected: r?.connected ?? false, competing: r?.competing ?? false, ssoExpiresAt: r?.ssoExpiresAt ?? null,
      lastTickleAt: f.lastTickleAt, lastTickleMs: f.lastTickleMs,
      loginsToday: f.loginsToday, loginUrl: f.loginUrl, loginBlocked: f.loginBlocked, penaltyUntil: f.penaltyUntil,
      inMaintenance: w !== null, maintenanceWindow: w ? { start: w.start, end: w.end, reason: w.reason } : null,
      ladder: {
        level, name: LADDER_LEVELS[level], hangCount: f.hangCount, recoveryAttempts: f.recoveryAttempts,
        restartsInRow: f.restartsInRow, nextCheckAt: f.nextCheckAt, lastRecovery: this.#lastRecovery,
      },
    };
  }

  metrics(client: GatewayClient): SessionMetrics {
    const now = this.#now();
    return {
      endpoints: client.stats(),
      uptime: { lastDayPercent: this.#history.uptimePercent(DAY, now), lastWeekPercent: this.#history.uptimePercent(7 * DAY, now) },
      stateChanges: this.#history.history(50),
      counters: { ...this.#counters },
      inflight: client.inflight(),
    };
  }

  flush(): Promise<void> {
    return this.#history.flush();
  }
}
