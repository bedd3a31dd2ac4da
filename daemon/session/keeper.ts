/**
 * Keeps the IBKR session alive and brings it back, one rung of the health ladder at a time.
 * Everything runs in one serial loop: a probe, a decision, at most one bounded recovery step,
 * then the next wake-up. Serial on purpose — with IBKR unreachable the gateway never answers,
 * and a timer-driven keeper would stack up unanswered calls; here at most one call is out.
 *
 * Longer than the project's ~300-line norm for a reason: the loop, the ladder's steps and the
 * status share one piece of private state that must change in one place and one order. What
 * could stand alone does (probe-schedule, restart-gate, penalty-box, maintenance-watch,
 * ladder's decide(), recovery steps, login budget, history).
 */
import { EventEmitter } from 'node:events';
import type { SessionConfig } from '../config/types.js';
import type { EventLevel, EventSink } from '../events.js';
import { silentLogger, type Logger } from '../logger.js';
import { backoffDelay } from '../backoff-delay.js';
import { ConnectionHistory } from './connection-history.js';
import { GatewayClient, type GatewayAnswer } from './gateway-client.js';
import type { GatewayControl, RecoveryRecord, SessionKeeperOptions, SessionMetrics, SessionStatus } from './keeper-types.js';
import { decide, HangDetector, LADDER_LEVELS, ladderLevel, type Action, type KeeperState } from './ladder.js';
import { LoginBudget } from './login-budget.js';
import { MaintenanceWatch } from './maintenance-watch.js';
import { PenaltyBox } from './penalty-box.js';
import { ProbeSchedule } from './probe-schedule.js';
import { RestartGate } from './restart-gate.js';
import { logout, reauthenticate, runLogin, type LoginFunction, type StepDeps } from './recovery.js';
import { parseTickle, type SessionReading } from './session-state.js';

const WARN_STATES = new Set<KeeperState>(['needs-login', 'login-budget-spent', 'login-blocked', 'access-denied', 'restarting', 'unresponsive', 'ibkr-unreachable', 'gateway-error', 'http-error']);

export class SessionKeeper extends EventEmitter {
  readonly #config: SessionConfig;
  readonly #baseUrl: () => string;
  readonly #gateway: GatewayControl;
  readonly #login: LoginFunction | null;
  readonly #client: GatewayClient;
  readonly #budget: LoginBudget;
  readonly #history: ConnectionHistory;
  readonly #hang: HangDetector;
  readonly #schedule: ProbeSchedule;
  readonly #penalty: PenaltyBox;
  readonly #restarts: RestartGate;
  readonly #maintenance: MaintenanceWatch;
  readonly #now: () => number;
  readonly #setTimeout: (fn: () => void, ms: number) => unknown;
  readonly #clearTimeout: (handle: unknown) => void;
  readonly #random: () => number;
  readonly #onEvent: EventSink;
  readonly #log: Logger;
  readonly #t: { liveness: number; livenessTimeout: number; gatewayPoll: number; loginTimeout: number };

  #timer: unknown = null;
  #nextCheckAt: number | null = null;
  #started = false;
  #stopped = false;
  #busy = false;
  #rerun = false;
  /** Bumped when the gateway goes down or the keeper stops: a running recovery step gives up. */
  #epoch = 0;
  #loginAbort: AbortController | null = null;

  #state: KeeperState = 'stopped';
  #since: number;
  #reason: string | null = 'not started';
  #reading: SessionReading | null = null;
  #answering = false;
  #lastTickleMs: number | null = null;
  #tickleUnanswered = false;
  /** Failed recoveries in a row since the session was last authenticated. */
  #attempts = 0;
  /** Consecutive looks that found a condition to wait out (5xx, competing/wait, IBKR unreachable). */
  #waits = 0;
  #lastRecovery: RecoveryRecord | null = null;
  #budgetReported: string | null = null;
  readonly #counters = { tickles: 0, restartsRequested: 0, recoveries: 0, recoveriesOk: 0, logins: 0, penalties: 0 };

  constructor(options: SessionKeeperOptions) {
    super();
    const c = (this.#config = options.config);
    this.#baseUrl = options.baseUrl;
    this.#gateway = options.gateway;
    this.#login = options.login ?? null;
    this.#now = options.now ?? Date.now;
    this.#setTimeout = options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.#clearTimeout = options.clearTimeout ?? ((h) => clearTimeout(h as NodeJS.Timeout));
    this.#random = options.random ?? Math.random;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#log = options.logger ?? silentLogger;
    this.#t = {
      liveness: options.livenessIntervalMs ?? 5000,
      livenessTimeout: options.livenessTimeoutMs ?? Math.min(3000, c.requestTimeoutMs),
      gatewayPoll: options.gatewayPollMs ?? 1000,
      loginTimeout: options.loginTimeoutMs ?? 240_000,
    };
    const onError = (err: Error): void => this.#event('session.store-error', 'warn', err.message);
    this.#client = new GatewayClient({ baseUrl: options.baseUrl, ca: options.ca, timeoutMs: c.requestTimeoutMs });
    this.#budget = new LoginBudget({ ...c.loginBudget, path: options.budgetPath ?? null, now: this.#now, onError });
    this.#history = new ConnectionHistory({ path: options.historyPath ?? null, now: this.#now, onError });
    this.#hang = new HangDetector(c.hangThreshold);
    this.#schedule = new ProbeSchedule({
      tickleIntervalMs: c.tickleIntervalMs, livenessMs: this.#t.liveness,
      suspectMs: options.suspectProbeMs ?? 250, tickleGapMs: options.minTickleGapMs ?? 1100,
    });
    this.#penalty = new PenaltyBox(c.penaltyBoxMs);
    this.#restarts = new RestartGate((n) => this.#backoff(n), options.restartGraceMs ?? 120_000);
    this.#maintenance = new MaintenanceWatch(options.calendar ?? null);
    this.#since = this.#now();
  }

  // --- lifecycle and inputs -------------------------------------------------------------------

  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    if (!this.#config.enabled) {
      this.#reason = 'session keeping is disabled (session.enabled: false)';
      return;
    }
    this.#setState('unknown', 'starting');
    this.#kick(0);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#epoch++;
    if (this.#timer !== null) this.#clearTimeout(this.#timer);
    this.#timer = null;
    this.#nextCheckAt = null;
    this.#loginAbort?.abort(new Error('keeper stopped'));
    this.#setState('stopped', 'keeper stopped');
    await this.#client.close();
    await Promise.all([this.#budget.flush(), this.#history.flush()]);
  }

  /** The supervisor reports the gateway listening (after a start or a restart). */
  onGatewayReady(): void {
    this.#restarts.sawDown();
    this.#hang.reset();
    void this.#client.reset();
    this.#schedule.tickleSoon(this.#now());
    this.#kick(0);
  }

  /** The supervisor reports the gateway process gone or stopping. */
  onGatewayDown(): void {
    this.#epoch++;
    this.#loginAbort?.abort(new Error('gateway down'));
    this.#restarts.sawDown();
    this.#hang.reset();
    this.#answering = false;
    this.#reading = null;
    if (this.#started && !this.#stopped) this.#setState(this.#restarts.pending ? 'restarting' : 'gateway-down', 'gateway process down');
    this.#kick(this.#t.gatewayPoll);
  }

  /**
   * Look now: the API's "check", or a pass-through proxy that saw a client call fail with
   * "not authenticated" (faster than waiting for the next tickle). Still at most one tickle a second.
   */
  checkNow(): void {
    this.#schedule.tickleSoon(this.#now());
    this.#kick(0);
  }

  /** An operator confirms the password is fixed: automated logins may resume. */
  async clearLoginBlock(): Promise<void> {
    await this.#budget.clearBlock();
    this.#event('session.login-unblocked', 'info', 'automated logins allowed again by an operator');
    this.checkNow();
  }

  /** False while in IBKR's penalty box: a pass-through proxy should hold calls that can wait. */
  allowNonEssential(): boolean {
    return !this.#penalty.active(this.#now());
  }

  // --- the loop ---------------------------------------------------------------------------------

  #kick(delayMs: number): void {
    if (this.#stopped || !this.#started || !this.#config.enabled) return;
    if (this.#timer !== null) this.#clearTimeout(this.#timer);
    const delay = Math.max(0, Math.round(delayMs));
    this.#nextCheckAt = this.#now() + delay;
    this.#timer = this.#setTimeout(() => { this.#timer = null; void this.#run(); }, delay);
  }

  async #run(): Promise<void> {
    if (this.#busy) { this.#rerun = true; return; }
    this.#busy = true;
    let delay: number = this.#config.tickleIntervalMs;
    try {
      delay = await this.#step();
    } catch (err) {
      this.#log.error({ err }, 'session keeper step failed');
      this.#event('session.error', 'error', `keeper step failed: ${(err as Error).message}`);
    } finally {
      this.#busy = false;
    }
    if (this.#rerun) { this.#rerun = false; delay = 0; }
    this.#kick(delay);
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
        this.#setState('restarting', pending.reason);
        return this.#t.gatewayPoll;
      }
      this.#schedule.tickleSoon(now);
      await this.#client.reset();
    }
    if (!ready) {
      this.#answering = false;
      this.#reading = null;
      this.#hang.reset();
      this.#setState(running ? 'gateway-starting' : 'gateway-down', running ? 'waiting for the gateway port' : 'gateway process not running');
      this.#schedule.tickleSoon(now);
      return this.#t.gatewayPoll;
    }
    const penalty = this.#penalty.active(now);
    // A probe just went unanswered: the local liveness probe goes first, since it alone tells
    // a hung gateway (restart) from IBKR out of reach behind a working one (wait).
    if (this.#hang.count > 0 && this.#schedule.livenessOn(penalty)) {
      const wait = this.#schedule.livenessAt(true) - now;
      return wait <= 0 ? this.#liveness(now) : wait;
    }
    if (this.#schedule.tickleDue(now)) {
      const gap = this.#schedule.gapWait(now);
      return gap > 0 ? gap : this.#tickle(now);
    }
    if (this.#schedule.livenessOn(penalty) && now >= this.#schedule.livenessAt(false)) return this.#liveness(now);
    return this.#untilNext(now);
  }

  #untilNext(now: number): number {
    // Also wake at a window's end (its one planned check) and when the penalty box opens.
    return this.#schedule.until(now, {
      suspect: this.#hang.count > 0, penalty: this.#penalty.active(now),
      wakeAt: [this.#maintenance.window?.end ?? null, this.#penalty.until(now)],
    });
  }

  async #tickle(now: number): Promise<number> {
    const epoch = this.#epoch;
    const r = await this.#client.call('/tickle', { klass: 'tickle' });
    this.#counters.tickles++;
    if (epoch !== this.#epoch) return 0; // the gateway went down meanwhile: the answer is stale
    this.#lastTickleMs = Math.round(r.ms);
    this.#schedule.tickled(now, this.#now());
    this.#tickleUnanswered = r.outcome === 'timeout';
    if (r.outcome === 'timeout') return this.#unanswered('tickle', r, now);
    if (this.#hang.observe(r.outcome, now) === 'unknown') return this.#refused(r, now);
    this.#answering = true;
    if (r.outcome === 'rate-limited') this.#enterPenalty('/tickle', now);
    const reading = r.status === null ? null : parseTickle(r.status, r.body, now);
    if (reading) this.#reading = reading;
    const budget = this.#budget.check(now);
    const action = decide({
      outcome: r.outcome, reading, config: this.#config, inMaintenance: this.#maintenance.window !== null,
      penaltyActive: this.#penalty.active(now), hasLogin: this.#login !== null,
      loginBlocked: this.#budget.blocked()?.reason ?? null, budgetSpent: budget.allowed ? null : budget.reason,
      attempts: this.#attempts,
    });
    return this.#apply(action, now, budget.retryAt);
  }

  async #liveness(now: number): Promise<number> {
    const epoch = this.#epoch;
    const r = await this.#client.call('/', { klass: 'liveness', method: 'GET', raw: true, timeoutMs: this.#t.livenessTimeout });
    this.#schedule.probed(this.#now());
    if (epoch !== this.#epoch) return 0;
    if (r.outcome === 'timeout') return this.#unanswered('liveness', r, now);
    if (this.#hang.observe(r.outcome, now) === 'unknown') return this.#refused(r, now);
    this.#answering = true;
    if (r.outcome === 'rate-limited') this.#enterPenalty('GET /', now);
    if (this.#tickleUnanswered) {
      // The gateway's own page answers while the tickle did not: IBKR is out of reach behind
      // a healthy gateway. A restart would only throw the session away. One retry is scheduled
      // per unanswered tickle: liveness probes keep coming between tickles, and rescheduling
      // on each of them would push the tickle back forever.
      this.#tickleUnanswered = false;
      this.#waits++;
      this.#setState('ibkr-unreachable', 'the gateway answers; API calls through it to IBKR are not answered');
      this.#schedule.tickleIn(now, Math.min(this.#backoff(this.#waits), this.#config.tickleIntervalMs));
    }
    return this.#untilNext(now);
  }

  /** A probe was not answered in time: count toward a hang, re-probe at once. */
  async #unanswered(kind: string, r: GatewayAnswer, now: number): Promise<number> {
    this.#answering = false;
    const verdict = this.#hang.observe('timeout', now);
    const what = `${kind} not answered within ${Math.round(r.ms)} ms (${this.#hang.count} in a row)`;
    if (verdict === 'hung') {
      const reason = `hang: ${this.#hang.count} probes unanswered since ${new Date(this.#hang.since ?? now).toISOString()}`;
      if (this.#maintenance.window) {
        this.#setState('unresponsive', `${what}; inside a maintenance window: no restart`);
        this.#hang.reset(); // back to the normal probe pace: nothing will be done about it now
        return this.#untilNext(now);
      }
      return this.#requestRestart(reason, now);
    }
    // Already known to be IBKR out of reach: another unanswered tickle is no news (no event flood).
    this.#setState(this.#state === 'ibkr-unreachable' && kind === 'tickle' ? 'ibkr-unreachable' : 'unresponsive', what);
    const after = this.#now();
    if (!this.#schedule.livenessOn(this.#penalty.active(after))) this.#schedule.tickleIn(after, 0);
    return this.#untilNext(after);
  }

  #refused(r: GatewayAnswer, now: number): number {
    // Connection refused/reset while the supervisor calls the port ready: its own probe will
    // catch up; the keeper reports and looks again soon, without counting a hang.
    this.#answering = false;
    this.#waits++;
    this.#setState('http-error', r.error?.message ?? 'network error');
    this.#schedule.tickleIn(now, Math.min(this.#backoff(this.#waits), this.#config.tickleIntervalMs));
    return this.#untilNext(now);
  }

  async #apply(action: Action, now: number, budgetRetryAt: number | null): Promise<number> {
    switch (action.kind) {
      case 'healthy':
        this.#attempts = 0;
        this.#waits = 0;
        this.#restarts.succeeded();
        this.#budgetReported = null;
        this.#setState('authenticated', null);
        break;
      case 'report':
        this.#setState(action.state, action.reason);
        if (action.state === 'needs-login' && this.#t.liveness > 0) {
          // Someone is about to log in by browser: notice it within seconds. A 401 tickle is
          // answered by the gateway itself, so this costs IBKR nothing.
          this.#schedule.tickleIn(now, Math.min(this.#config.tickleIntervalMs, this.#t.liveness));
        }
        if (action.state === 'login-budget-spent') this.#reportBudget(action.reason, budgetRetryAt, now);
        break;
      case 'wait':
        this.#waits++;
        this.#setState(action.state, action.reason);
        this.#schedule.tickleIn(now, Math.min(this.#backoff(this.#waits), this.#config.tickleIntervalMs));
        break;
      case 'escalate':
        return this.#escalate(action.reason, now);
      case 'reauth':
        return this.#reauth(action.compete);
      case 'login':
        return this.#doLogin(now);
    }
    return this.#untilNext(now);
  }

  // --- recovery steps ---------------------------------------------------------------------------

  #deps(): StepDeps {
    const epoch = this.#epoch;
    return {
      client: this.#client, now: this.#now,
      sleep: (ms) => new Promise<void>((resolve) => { this.#setTimeout(resolve, ms); }),
      alive: () => !this.#stopped && epoch === this.#epoch,
    };
  }

  async #reauth(compete: boolean): Promise<number> {
    const kind = compete ? 'takeover' : 'reauth';
    this.#setState('reauthenticating', compete ? 'taking the brokerage session over (ssodh/init compete=true)' : 'reauthenticating the brokerage session');
    const deps = this.#deps();
    const out = await reauthenticate(deps, {
      compete, pollMs: this.#config.reauthPollMs, timeoutMs: this.#config.reauthTimeoutMs, requestTimeoutMs: this.#config.requestTimeoutMs,
    });
    const now = this.#now();
    if (!deps.alive()) return 0;
    this.#recordRecovery(kind, out.result, out.ms, out.detail);
    if (out.result === 'ok') {
      this.#event('session.recovered', 'info', `brokerage session back after ${Math.round(out.ms)} ms (${kind})`, { kind, ms: Math.round(out.ms) });
      this.emit('recovered', { kind, ms: out.ms });
      this.#schedule.tickleSoon(now); // confirm with a tickle promptly (the tickle gap still applies)
    } else if (out.result === 'no-sso') {
      this.#schedule.tickleSoon(now);
    } else if (out.result === 'rate-limited') {
      this.#enterPenalty(kind, now);
    } else {
      this.#attempts++;
      this.#setState(this.#reading?.state ?? 'unknown', `${kind} failed (${this.#attempts}/${this.#config.maxRecoveryAttempts}): ${out.detail}`);
      this.#schedule.tickleIn(now, this.#backoff(this.#attempts));
    }
    return this.#untilNext(now);
  }

  async #doLogin(now: number): Promise<number> {
    const login = this.#login as LoginFunction;
    await this.#budget.record(now);
    this.#counters.logins++;
    const attempt = this.#attempts + 1;
    this.#setState('logging-in', `automated login, attempt ${attempt}`);
    const deps = this.#deps();
    this.#loginAbort = new AbortController();
    const base = this.#baseUrl().replace(/\/+$/, '');
    const { result, detail } = await runLogin(
      login, { baseUrl: base, loginUrl: `${base}/`, attempt, reason: 'no SSO session' }, this.#t.loginTimeout,
      { setTimeout: this.#setTimeout, clearTimeout: this.#clearTimeout }, this.#loginAbort.signal,
    );
    this.#loginAbort = null;
    const after = this.#now();
    if (!deps.alive()) return 0;
    this.#recordRecovery('login', result, after - now, detail);
    if (result === 'ok') {
      this.#schedule.tickleSoon(after);
    } else if (result === 'rejected') {
      // Never retry a rejected password: each try brings the account closer to IBKR's lock.
      await this.#budget.block(`login rejected at ${new Date(after).toISOString()}`, after);
      this.#event('session.login-blocked', 'error', 'the login was rejected; automated logins stop until an operator clears the block');
      this.#setState('login-blocked', 'login rejected: fix the credentials, then clear the block');
    } else {
      this.#attempts++;
      this.#setState('no-session', `login failed (${this.#attempts}/${this.#config.maxRecoveryAttempts}): ${detail}`);
      this.#schedule.tickleIn(after, this.#backoff(this.#attempts));
    }
    return this.#untilNext(after);
  }

  async #escalate(reason: string, now: number): Promise<number> {
    // Log out first so the restarted gateway does not find our own stale session competing.
    if (this.#answering && !this.#penalty.active(now)) {
      const deps = this.#deps();
      await logout(deps);
      // Stopped while logging out (daemon shutdown, keeper rebuilt by a config edit): a keeper
      // that no longer runs must not restart the gateway.
      if (!deps.alive()) return 0;
    }
    return this.#requestRestart(`recovery failed: ${reason}`, this.#now());
  }

  #requestRestart(reason: string, now: number): number {
    const wait = this.#restarts.waitBeforeNext(now);
    if (wait > 0) {
      this.#setState('unresponsive', `${reason}; next restart allowed in ${Math.round(wait / 1000)} s`);
      return wait;
    }
    const restart = this.#restarts.begin(reason, now);
    this.#counters.restartsRequested++;
    this.#hang.reset();
    this.#attempts = 0;
    this.#answering = false;
    this.#reading = null;
    this.#recordRecovery('restart', 'requested', 0, reason);
    this.#setState('restarting', reason);
    this.#event('session.restart', 'warn', `restarting the gateway: ${reason}`, { reason });
    this.emit('restart', reason);
    Promise.resolve()
      .then(() => this.#gateway.restart(reason))
      .then(() => { restart.resolved = true; this.#kick(0); })
      .catch((err: Error) => this.#event('session.restart-failed', 'error', `gateway restart failed: ${err.message}`));
    return this.#t.gatewayPoll;
  }

  // --- conditions ---------------------------------------------------------------------------------

  #enterPenalty(what: string, now: number): void {
    if (!this.#penalty.enter(now)) return;
    const until = this.#penalty.until(now);
    this.#counters.penalties++;
    this.#event('session.penalty', 'warn', `gateway answered 429 to ${what}: only tickles until ${new Date(until ?? now).toISOString()}`, { until });
    this.emit('penalty', { until });
  }

  #trackMaintenance(now: number): void {
    const edge = this.#maintenance.update(now);
    if (edge?.kind === 'entered') {
      const w = edge.window;
      this.#event('session.maintenance', 'info', `maintenance window until ${new Date(w.end).toISOString()}: failures expected, no logins, restarts or escalation`, { start: w.start, end: w.end, reason: w.reason, active: true });
      this.emit('maintenance', { active: true, window: w });
    } else if (edge?.kind === 'ended') {
      // A fresh start after the window, and exactly one planned check: whatever failed
      // inside it does not count toward escalation.
      this.#attempts = 0;
      this.#waits = 0;
      this.#restarts.succeeded();
      this.#hang.reset();
      this.#schedule.tickleSoon(now);
      this.#event('session.maintenance', 'info', 'maintenance window ended: one planned recovery check', { start: edge.window.start, end: edge.window.end, active: false });
      this.emit('maintenance', { active: false, window: edge.window });
    }
  }

  #reportBudget(reason: string, retryAt: number | null, now: number): void {
    if (retryAt !== null) this.#schedule.tickleIn(now, Math.max(0, Math.min(retryAt, now + this.#config.tickleIntervalMs) - now));
    if (this.#budgetReported === reason) return;
    this.#budgetReported = reason;
    this.#event('session.login-budget', 'warn', `no automated login: ${reason}`, { retryAt });
  }

  #backoff(attempt: number): number {
    return backoffDelay(this.#config.recoveryBackoff, attempt, this.#random);
  }

  #recordRecovery(kind: RecoveryRecord['kind'], result: string, ms: number, detail: string): void {
    if (kind !== 'restart') {
      this.#counters.recoveries++;
      if (result === 'ok') this.#counters.recoveriesOk++;
    }
    this.#lastRecovery = { kind, result, at: this.#now(), ms: Math.round(ms), detail };
    this.#event('session.recovery', result === 'ok' || result === 'requested' ? 'info' : 'warn', `${kind}: ${result} (${detail})`, { ...this.#lastRecovery });
  }

  #setState(state: KeeperState, reason: string | null): void {
    this.#reason = reason;
    if (state === this.#state) return;
    const from = this.#state;
    const now = this.#now();
    this.#state = state;
    this.#since = now;
    this.#history.record(state, state === 'authenticated' ? true : state === 'stopped' || state === 'unknown' ? null : false, now);
    const level: EventLevel = WARN_STATES.has(state) && !this.#maintenance.window ? 'warn' : 'info';
    this.#event('session.state', level, `session ${from} → ${state}${reason ? `: ${reason}` : ''}`, { from, to: state, reason, at: now, inMaintenance: this.#maintenance.window !== null });
    this.emit('state', this.status());
  }

  #event(type: string, level: EventLevel, message: string, data?: Record<string, unknown>): void {
    this.#log[level]({ type, ...data }, message);
    try { this.#onEvent({ type, level, message, ...(data ? { data } : {}) }); } catch { /* a sink's failure is not ours */ }
  }

  // --- read side --------------------------------------------------------------------------------

  status(): SessionStatus {
    const now = this.#now();
    const r = this.#reading;
    const authenticated = this.#state === 'authenticated';
    const level = ladderLevel({
      running: this.#started && this.#gateway.isRunning(), ready: this.#gateway.isReady(), answering: this.#answering, authenticated,
    });
    const w = this.#maintenance.window;
    return {
      state: this.#state, since: this.#since, reason: this.#reason, authenticated,
      connected: r?.connected ?? false, competing: r?.competing ?? false, ssoExpiresAt: r?.ssoExpiresAt ?? null,
      lastTickleAt: this.#schedule.lastTickleAt, lastTickleMs: this.#lastTickleMs,
      loginsToday: this.#budget.usedToday(now), loginUrl: `${this.#baseUrl().replace(/\/+$/, '')}/`,
      loginBlocked: this.#budget.blocked(),
      penaltyUntil: this.#penalty.until(now),
      inMaintenance: w !== null, maintenanceWindow: w ? { start: w.start, end: w.end, reason: w.reason } : null,
      ladder: {
        level, name: LADDER_LEVELS[level], hangCount: this.#hang.count, recoveryAttempts: this.#attempts,
        restartsInRow: this.#restarts.inRow, nextCheckAt: this.#nextCheckAt, lastRecovery: this.#lastRecovery,
      },
    };
  }

  metrics(): SessionMetrics {
    const now = this.#now();
    return {
      endpoints: this.#client.stats(),
      uptime: { lastDayPercent: this.#history.uptimePercent(86_400_000, now), lastWeekPercent: this.#history.uptimePercent(7 * 86_400_000, now) },
      stateChanges: this.#history.history(50),
      counters: { ...this.#counters },
      inflight: this.#client.inflight(),
    };
  }
}
