/**
 * Keeps the IBKR session alive and brings it back, one rung of the health ladder at a time.
 * Everything runs in one serial loop (serial-loop): a probe, a decision, at most one bounded
 * recovery step, then the next wake-up; with IBKR unreachable the gateway answers nothing, and
 * here at most one call is ever out to it.
 *
 * This file is the loop's step and its decisions. Around it: the calls and their booking
 * (probes, observed-gateway), when to look (probe-schedule), what a tickle answer calls for
 * (ladder's decide()), running a recovery and settling its outcome (recovery-runner), restart
 * spacing (restart-gate), the 429 box, maintenance windows, the login budget, and all that is
 * told to the world: state, events, counters, status, metrics (session-report).
 */
import type { SessionConfig } from '../config/types.js';
import { silentLogger, type Logger } from '../logger.js';
import { backoffDelay } from '../backoff-delay.js';
import { GatewayClient } from './gateway-client.js';
import type { GatewayControl, SessionKeeperOptions, SessionMetrics, SessionStatus } from './keeper-types.js';
import { decide, type Action } from './ladder.js';
import { LoginBudget } from './login-budget.js';
import { MaintenanceWatch } from './maintenance-watch.js';
import { MinGapPacer } from './min-gap-pacer.js';
import { ObservedGateway } from './observed-gateway.js';
import { PenaltyBox } from './penalty-box.js';
import { ProbeSchedule, type LookState } from './probe-schedule.js';
import { AUTH_STATUS_PATH, Probes, type CheckLook, type Look } from './probes.js';
import { RecoveryRunner } from './recovery-runner.js';
import { RestartGate } from './restart-gate.js';
import { SerialLoop } from './serial-loop.js';
import { SessionReport } from './session-report.js';

type ProbeKind = 'tickle' | 'auth-status check' | 'liveness';

/** How often the supervisor's view is looked at while the gateway is not ready. */
const GATEWAY_POLL_MS = 1000;
/** IBKR allows /tickle once a second; more puts the address in the penalty box. */
const MIN_TICKLE_GAP_MS = 1100;
/** Longest wait for a requested restart to show (the gateway seen down, or ready again). */
const RESTART_GRACE_MS = 120_000;

export class SessionKeeper {
  readonly #config: SessionConfig;
  readonly #loginUnavailable: () => string | null;
  readonly #baseUrl: () => string;
  readonly #gateway: GatewayControl;
  readonly #client: GatewayClient;
  readonly #budget: LoginBudget;
  readonly #seen: ObservedGateway;
  readonly #schedule: ProbeSchedule;
  readonly #probes: Probes;
  readonly #penalty: PenaltyBox;
  readonly #restarts: RestartGate;
  readonly #maintenance: MaintenanceWatch;
  readonly #recovery: RecoveryRunner;
  readonly #report: SessionReport;
  readonly #loop: SerialLoop;
  readonly #now: () => number;
  /** recoveryBackoff's delay before the attempt-th retry (gateway restarts are spaced by it too). */
  readonly #backoff: (attempt: number) => number;
  readonly #log: Logger;
  readonly #gatewayPollMs: number;

  #started = false;
  #stopped = false;
  /** Consecutive looks that found a condition to wait out (5xx, competing/wait, IBKR unreachable). */
  #waits = 0;

  constructor(options: SessionKeeperOptions) {
    const c = (this.#config = options.config);
    this.#baseUrl = options.baseUrl;
    this.#gateway = options.gateway;
    this.#loginUnavailable = options.loginUnavailable ?? (() => null);
    const now = (this.#now = options.now ?? Date.now);
    const timers = {
      setTimeout: options.setTimeout ?? ((fn: () => void, ms: number) => setTimeout(fn, ms)),
      clearTimeout: options.clearTimeout ?? ((h: unknown) => clearTimeout(h as NodeJS.Timeout)),
    };
    const random = options.random ?? Math.random;
    this.#backoff = (n) => backoffDelay(c.recoveryBackoff, n, random);
    this.#log = options.logger ?? silentLogger;
    this.#gatewayPollMs = options.gatewayPollMs ?? GATEWAY_POLL_MS;
    this.#maintenance = new MaintenanceWatch(options.calendar ?? null);
    this.#report = new SessionReport({
      onEvent: options.onEvent ?? (() => {}), now: this.#now, historyPath: options.historyPath ?? null,
      inMaintenance: () => this.#maintenance.window !== null,
    });
    this.#client = new GatewayClient({ baseUrl: options.baseUrl, ca: options.ca, timeoutMs: c.requestTimeoutMs, pacer: options.pacer, penaltyMs: c.penaltyBoxMs });
    this.#budget = new LoginBudget({ ...c.loginBudget, path: options.budgetPath ?? null, now: this.#now, onError: (err) => this.#report.storeError(err) });
    this.#seen = new ObservedGateway(c.hangThreshold);
    this.#schedule = new ProbeSchedule({
      tickleIntervalMs: c.tickleIntervalMs, livenessMs: c.livenessIntervalMs,
      suspectMs: c.suspectProbeMs, tickleGapMs: options.minTickleGapMs ?? MIN_TICKLE_GAP_MS, authCheckMs: c.authCheckIntervalMs,
    });
    this.#probes = new Probes({
      client: this.#client, seen: this.#seen, schedule: this.#schedule, report: this.#report, now,
      livenessTimeoutMs: c.livenessTimeoutMs, handshakeTimeoutMs: c.handshakeTimeoutMs,
      acquireAuthCheck: options.acquireAuthCheck ?? new MinGapPacer(c.authCheckIntervalMs).acquire,
    });
    this.#penalty = new PenaltyBox(c.penaltyBoxMs);
    this.#restarts = new RestartGate(this.#backoff, RESTART_GRACE_MS);
    this.#recovery = new RecoveryRunner({
      config: c, client: this.#client, login: options.login ?? null, baseUrl: options.baseUrl, budget: this.#budget,
      schedule: this.#schedule, report: this.#report, now, timers, backoff: this.#backoff,
      enterPenalty: (what, at) => this.#enterPenalty(what, at),
    });
    this.#loop = new SerialLoop({ ...timers, now, step: () => this.#step(), onError: (err) => this.#stepFailed(err) });
  }

  // --- lifecycle and inputs -------------------------------------------------------------------

  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    if (!this.#config.enabled) {
      this.#report.setState('stopped', 'session keeping is disabled (session.enabled: false)');
      return;
    }
    this.#report.setState('unknown', 'starting');
    this.#loop.start();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#loop.stop();
    this.#recovery.abort('keeper stopped');
    this.#report.setState('stopped', 'keeper stopped');
    await this.#client.close();
    await Promise.all([this.#budget.flush(), this.#report.flush()]);
  }

  /** The supervisor reports the gateway listening (after a start or a restart): a new process. */
  onGatewayReady(): void {
    this.#restarts.sawDown();
    this.#seen.forget();
    void this.#client.reset();
    this.#schedule.tickleSoon(this.#now());
    this.#loop.wake(0);
  }

  /** The supervisor reports the gateway process gone or stopping. */
  onGatewayDown(): void {
    this.#loop.invalidate();
    this.#recovery.abort('gateway down');
    this.#restarts.sawDown();
    this.#seen.forget();
    if (this.#started && !this.#stopped) this.#report.setState(this.#restarts.pending ? 'restarting' : 'gateway-down', 'gateway process down');
    this.#loop.wake(this.#gatewayPollMs);
  }

  /**
   * Look now: the API's "check", or a pass-through proxy that saw a client call fail with
   * "not authenticated" (faster than waiting for the next tickle). Still at most one tickle a second.
   */
  checkNow(): void {
    this.#schedule.tickleSoon(this.#now());
    this.#loop.wake(0);
  }

  /** An operator confirms the password is fixed: automated logins may resume. */
  async clearLoginBlock(): Promise<void> {
    await this.#budget.clearBlock();
    this.#report.event('session.login-unblocked', 'info', 'automated logins allowed again by an operator');
    this.checkNow();
  }

  /** False while in IBKR's penalty box: a pass-through proxy should hold calls that can wait. */
  allowNonEssential(): boolean {
    return !this.#penalty.active(this.#now());
  }

  // --- the loop ---------------------------------------------------------------------------------

  #stepFailed(err: unknown): number {
    // The stack is for the log; the event (stored, logged by the daemon's sink) says what failed.
    this.#log.error({ err }, 'session keeper step failed');
    this.#report.event('session.error', 'error', `keeper step failed: ${(err as Error).message}`);
    return this.#config.tickleIntervalMs;
  }

  /** One pass; returns ms until the next. */
  async #step(): Promise<number> {
    const now = this.#now();
    this.#trackMaintenance(now);
    const running = this.#gateway.isRunning();
    const ready = running && this.#gateway.isReady();
    const pending = this.#restarts.pending;
    if (pending) {
      if (!this.#restarts.settle(ready, now)) {
        this.#report.setState('restarting', pending.reason);
        return this.#gatewayPollMs;
      }
      this.#schedule.tickleSoon(now);
      await this.#client.reset();
    }
    if (!ready) {
      this.#seen.forget();
      this.#report.setState(running ? 'gateway-starting' : 'gateway-down', running ? 'waiting for the gateway port' : 'gateway process not running');
      this.#schedule.tickleSoon(now);
      return this.#gatewayPollMs;
    }
    const next = this.#schedule.next(now, this.#lookState(now));
    if (next === 'tickle') return this.#tickle(now);
    if (next === 'auth-check') return this.#authCheck(now);
    if (next === 'liveness') return this.#liveness(now);
    return next;
  }

  /** What the schedule needs to know to pick the next look; also wakes at a window's end and when the penalty box opens. */
  #lookState(now: number): LookState {
    return {
      suspect: this.#seen.hang.count > 0, penalty: this.#penalty.active(now), authCheck: this.#authCheckOn(now),
      wakeAt: [this.#maintenance.window?.end ?? null, this.#penalty.until(now)],
    };
  }

  /**
   * The auth-status check runs only while all looks well: it is there to notice a loss. Any
   * trouble already has the tickle and the recovery steps looking, and inside a window or the
   * penalty box nothing would be done about what it found.
   */
  #authCheckOn(now: number): boolean {
    return this.#report.state === 'authenticated' && this.#seen.hang.count === 0
      && !this.#penalty.active(now) && this.#maintenance.window === null;
  }

  /**
   * ms until the next look. After a call, `now` is the time it ended, not the step's start: a
   * probe that took seconds (a slow gateway) would otherwise push every later one back by as much,
   * and the tickle, always first in line, would starve the others.
   */
  #untilNext(now: number): number {
    return this.#schedule.until(now, this.#lookState(now));
  }

  // --- probes -----------------------------------------------------------------------------------

  async #tickle(now: number): Promise<number> {
    return this.#sessionLook('tickle', '/tickle', await this.#probes.tickle(now, this.#loop.current()), now);
  }

  async #authCheck(now: number): Promise<number> {
    return this.#sessionLook('auth-status check', AUTH_STATUS_PATH, await this.#probes.authCheck(now, this.#loop.current()), now);
  }

  /** A tickle's or an auth-status check's answer: the session state it carries decides. */
  async #sessionLook(kind: ProbeKind, path: string, look: CheckLook, now: number): Promise<number> {
    if (look.kind === 'skipped') return this.#untilNext(now);
    if (look.kind !== 'answered') return this.#notAnswered(kind, look, now);
    const r = look.answer;
    if (r.outcome === 'rate-limited') this.#enterPenalty(path, now);
    const budget = this.#budget.check(now);
    const noLoginReason = this.#recovery.hasLogin ? this.#loginUnavailable() : null;
    const action = decide({
      outcome: r.outcome, reading: look.reading, config: this.#config, inMaintenance: this.#maintenance.window !== null,
      penaltyActive: this.#penalty.active(now), hasLogin: this.#recovery.hasLogin && noLoginReason === null, noLoginReason,
      loginBlocked: this.#budget.blocked()?.reason ?? null, budgetSpent: budget.allowed ? null : budget.reason,
      attempts: this.#recovery.attempts,
    });
    return this.#apply(action, now, budget.retryAt);
  }

  async #liveness(now: number): Promise<number> {
    const look = await this.#probes.liveness(now, this.#loop.current());
    if (look.kind !== 'answered') return this.#notAnswered('liveness', look, now);
    if (look.answer.outcome === 'rate-limited') this.#enterPenalty('GET /', now);
    if (!this.#seen.tickleUnanswered) return this.#untilNext(this.#now());
    // The gateway's own page answers while the tickle did not: IBKR is out of reach behind a
    // healthy gateway. A restart would only throw the session away. One retry is scheduled per
    // unanswered tickle: liveness probes keep coming between tickles, and rescheduling on each
    // of them would push the tickle back forever.
    this.#seen.tickleUnanswered = false;
    return this.#apply({ kind: 'wait', state: 'ibkr-unreachable', reason: 'the gateway answers; API calls through it to IBKR are not answered' }, now);
  }

  #notAnswered(kind: ProbeKind, look: Exclude<Look, { kind: 'answered' }>, now: number): Promise<number> | number {
    if (look.kind === 'stale') return 0; // look again at once, at whatever is there now
    // Refused while the supervisor calls the port ready: its own probe will catch up; report
    // and look again soon, without counting a hang.
    if (look.kind === 'refused') return this.#apply({ kind: 'wait', state: 'http-error', reason: look.error }, now);
    const hang = this.#seen.hang;
    const how = look.silent ? 'no TLS handshake' : 'not answered';
    const what = `${kind}: ${how} within ${Math.round(look.ms)} ms (${hang.count} in a row)`;
    if (look.hung && this.#maintenance.window) {
      this.#report.setState('unresponsive', `${what}; inside a maintenance window: no restart`);
      hang.reset(); // back to the normal probe pace: nothing will be done about it now
      return this.#untilNext(this.#now());
    }
    if (look.hung) {
      // Judged hung: it will not shut down cleanly, so its stop gets the short grace.
      const reason = `hang: ${hang.count} probes unanswered since ${new Date(hang.since ?? now).toISOString()} (last: ${how})`;
      return this.#requestRestart(reason, now, this.#config.hangStopGraceMs);
    }
    // Already known to be IBKR out of reach: another unanswered tickle is no news (no event flood).
    this.#report.setState(this.#report.state === 'ibkr-unreachable' && kind !== 'liveness' ? 'ibkr-unreachable' : 'unresponsive', what);
    // Re-probe at once: the liveness probe when it runs, else the tickle.
    const after = this.#now();
    if (!this.#schedule.livenessOn(this.#penalty.active(after))) this.#schedule.tickleIn(after, 0);
    return this.#untilNext(after);
  }

  // --- decisions --------------------------------------------------------------------------------

  async #apply(action: Action, now: number, budgetRetryAt: number | null = null): Promise<number> {
    switch (action.kind) {
      case 'healthy':
        this.#recovery.forgive();
        this.#waits = 0;
        this.#restarts.succeeded();
        this.#report.setState('authenticated', null);
        break;
      case 'report':
        this.#report.setState(action.state, action.reason);
        if (action.state === 'needs-login' && this.#config.livenessIntervalMs > 0) {
          // Someone is about to log in by browser: notice it within seconds. A 401 tickle is
          // answered by the gateway itself, so this costs IBKR nothing.
          this.#schedule.tickleIn(now, Math.min(this.#config.tickleIntervalMs, this.#config.livenessIntervalMs));
        }
        if (action.state === 'login-budget-spent') {
          if (budgetRetryAt !== null) this.#schedule.tickleIn(now, Math.max(0, Math.min(budgetRetryAt, now + this.#config.tickleIntervalMs) - now));
          this.#report.budgetSpent(action.reason, budgetRetryAt);
        }
        break;
      case 'wait':
        this.#waits++;
        this.#report.setState(action.state, action.reason);
        this.#schedule.tickleIn(now, Math.min(this.#backoff(this.#waits), this.#config.tickleIntervalMs));
        break;
      case 'escalate':
        return this.#escalate(action.reason, now);
      case 'reauth':
        return this.#settled(await this.#recovery.reauth(action.compete, this.#loop.current(), this.#seen.reading?.state ?? null));
      case 'login':
        return this.#settled(await this.#recovery.login(this.#loop.current(), now));
    }
    return this.#untilNext(this.#now());
  }

  /** After a recovery step: look again when its outcome says, or at once when it was abandoned. */
  #settled(at: number | null): number {
    return at === null ? 0 : this.#untilNext(at);
  }

  async #escalate(reason: string, now: number): Promise<number> {
    // Log out first so the restarted gateway does not find our own stale session competing.
    // Stopped while logging out (daemon shutdown, keeper rebuilt by a config edit): a keeper
    // that no longer runs must not restart the gateway.
    if (this.#seen.answering && !this.#penalty.active(now) && !(await this.#recovery.logout(this.#loop.current()))) return 0;
    return this.#requestRestart(`recovery failed: ${reason}`, this.#now());
  }

  /** The last rung: a gateway restart, spaced by the restart gate. `graceMs`: its stop's TERM → KILL grace. */
  #requestRestart(reason: string, now: number, graceMs?: number): number {
    const wait = this.#restarts.waitBeforeNext(now);
    if (wait > 0) {
      this.#report.setState('unresponsive', `${reason}; next restart allowed in ${Math.round(wait / 1000)} s`);
      return wait;
    }
    const restart = this.#restarts.begin(reason, now);
    this.#seen.forget();
    this.#recovery.forgive();
    this.#report.restartRequested(reason);
    Promise.resolve()
      .then(() => this.#gateway.restart(reason, graceMs === undefined ? {} : { graceMs }))
      .then(() => { restart.resolved = true; this.#loop.wake(0); })
      .catch((err: Error) => this.#report.event('session.restart-failed', 'error', `gateway restart failed: ${err.message}`));
    return this.#gatewayPollMs;
  }

  #enterPenalty(what: string, now: number): void {
    if (this.#penalty.enter(now)) this.#report.penalty(what, this.#penalty.until(now) ?? now);
  }

  #trackMaintenance(now: number): void {
    const edge = this.#maintenance.update(now);
    if (edge?.kind === 'ended') {
      // A fresh start after the window, and exactly one planned check: whatever failed
      // inside it does not count toward escalation.
      this.#recovery.forgive();
      this.#waits = 0;
      this.#restarts.succeeded();
      this.#seen.hang.reset();
      this.#schedule.tickleSoon(now);
    }
    if (edge) this.#report.maintenance(edge.kind, edge.window);
  }

  // --- read side --------------------------------------------------------------------------------

  status(): SessionStatus {
    const now = this.#now();
    return this.#report.status({
      reading: this.#seen.reading, lastTickleAt: this.#schedule.lastTickleAt, lastTickleMs: this.#seen.lastTickleMs,
      loginsToday: this.#budget.usedToday(now), loginUrl: `${this.#baseUrl().replace(/\/+$/, '')}/`,
      loginBlocked: this.#budget.blocked(), penaltyUntil: this.#penalty.until(now), window: this.#maintenance.window,
      running: this.#started && this.#gateway.isRunning(), ready: this.#gateway.isReady(), answering: this.#seen.answering,
      hangCount: this.#seen.hang.count, recoveryAttempts: this.#recovery.attempts, restartsInRow: this.#restarts.inRow,
      nextCheckAt: this.#loop.nextAt,
    });
  }

  metrics(): SessionMetrics {
    return this.#report.metrics(this.#client);
  }
}
