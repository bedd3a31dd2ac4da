/**
 * The session keeper of the IB Gateway kinds: the TWS API counterpart of session/keeper.ts,
 * with the same status shape, events and inputs, so /readyz, status and notifications work the
 * same for both kinds.
 *
 * One serial loop, one look at a time (a hung gateway never answers, and stacked-up probes
 * would only hide that): open the daemon's own API connection (handshake, START_API with a
 * dedicated client id, nextValidId), then reqCurrentTime at the probe pace. The rungs:
 * - no handshake answer, and a timed-out reqCurrentTime whose fresh handshake is not answered
 *   either: a hang, counted; at session.hangThreshold the gateway is restarted (not inside a
 *   maintenance window);
 * - 1100 / 2110 on the connection: IBKR out of reach behind a working gateway — wait, never
 *   restart (the gateway reconnects by itself; a restart would need a new login);
 * - IBC's log lines: the login's outcome (a rejected password blocks automated logins and stops
 *   the gateway at once, before IBC's own cold restart types it again).
 *
 * Longer than the ~300-line norm for the same reason as keeper.ts: the loop, its steps and the
 * status share private state that must change in one order. What stands alone does
 * (api-probe, connectivity, ibc-log's outcomes and reactions, login-gate, restart-gate,
 * maintenance-watch).
 */
import { EventEmitter } from 'node:events';
import { backoffDelay } from '../backoff-delay.js';
import type { SessionConfig } from '../config/types.js';
import type { EventLevel, EventSink } from '../events.js';
import { silentLogger, type Logger } from '../logger.js';
import type { WindowCalendar } from '../maintenance/calendar.js';
import { ConnectionHistory } from '../session/connection-history.js';
import { EndpointStats } from '../session/endpoint-stats.js';
import type { GatewayControl, SessionMetrics, RecoveryRecord } from '../session/keeper-types.js';
import { HangDetector, LADDER_LEVELS, ladderLevel, type KeeperState } from '../session/ladder.js';
import { MaintenanceWatch } from '../session/maintenance-watch.js';
import { RestartGate } from '../session/restart-gate.js';
import type { ApiNotice } from './api-connection.js';
import { ApiProbe, type ProbeSettings } from './api-probe.js';
import type { ConnectivityChange } from './connectivity.js';
import { ibcCommand } from './ibc-command.js';
import { EXIT_SECOND_FACTOR_TIMEOUT, ibcOutcome, ibcReaction, ibcState, type IbcOutcome } from './ibc-log.js';
import { LoginGate } from './login-gate.js';
import type { TwsSessionStatus } from './tws-status.js';

export type { TwsSessionStatus } from './tws-status.js';

/** The keeper's view of the supervisor; `stop` is what cuts IBC's retry of a rejected password. */
export interface TwsGatewayControl extends GatewayControl {
  stop(reason: string, options?: { graceMs?: number }): Promise<unknown> | unknown;
}

export interface TwsKeeperOptions {
  config: SessionConfig;
  probe: ProbeSettings;
  gateway: TwsGatewayControl;
  /** IBC's command server port, for RESTART inside maintenance windows; 0/absent: none. */
  commandServerPort?: number;
  calendar?: WindowCalendar;
  budgetPath?: string | null;
  historyPath?: string | null;
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  random?: () => number;
  onEvent?: EventSink;
  logger?: Logger;
  /** How often the supervisor's state is looked at while the gateway is not ready. Default 1000. */
  gatewayPollMs?: number;
  /** Longest wait for a requested restart to show. Default 120000. */
  restartGraceMs?: number;
}

const WARN_STATES = new Set<KeeperState>(['needs-login', 'login-budget-spent', 'login-blocked', 'access-denied', 'unresponsive', 'ibkr-unreachable', 'gateway-error', 'competing']);

export class TwsSessionKeeper extends EventEmitter {
  readonly #o: TwsKeeperOptions;
  readonly #now: () => number;
  readonly #setTimeout: (fn: () => void, ms: number) => unknown;
  readonly #clearTimeout: (handle: unknown) => void;
  readonly #log: Logger;
  readonly #poll: number;
  readonly #gate: LoginGate;
  readonly #history: ConnectionHistory;
  readonly #hang: HangDetector;
  readonly #restarts: RestartGate;
  readonly #maintenance: MaintenanceWatch;
  readonly #stats = new EndpointStats();
  readonly #probe: ApiProbe;
  #timer: unknown = null;
  #nextCheckAt: number | null = null;
  #started = false;
  #stopped = false;
  #busy = false;
  #rerun = false;
  /** Bumped when the gateway goes down or the keeper stops: an answer from before is stale. */
  #epoch = 0;
  #ibc: { outcome: IbcOutcome; at: number } | null = null;
  #state: KeeperState = 'stopped';
  #since: number;
  #reason: string | null = 'not started';
  #waits = 0;
  #lastRecovery: RecoveryRecord | null = null;
  readonly #counters = { tickles: 0, restartsRequested: 0, recoveries: 0, recoveriesOk: 0, logins: 0, penalties: 0, ibcRestarts: 0 };

  constructor(options: TwsKeeperOptions) {
    super();
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#setTimeout = options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.#clearTimeout = options.clearTimeout ?? ((h) => clearTimeout(h as NodeJS.Timeout));
    this.#log = options.logger ?? silentLogger;
    this.#poll = options.gatewayPollMs ?? 1000;
    const onEvent: EventSink = (e) => this.#event(e.type, e.level, e.message, e.data);
    this.#gate = new LoginGate({
      ...options.config.loginBudget, path: options.budgetPath ?? null, now: this.#now, setTimeout: this.#setTimeout, clearTimeout: this.#clearTimeout,
      onEvent, retry: (reason) => void Promise.resolve(options.gateway.restart(reason)).catch(() => undefined),
    });
    this.#history = new ConnectionHistory({ path: options.historyPath ?? null, now: this.#now, onError: (err) => this.#event('session.store-error', 'warn', err.message) });
    this.#hang = new HangDetector(options.config.hangThreshold);
    this.#restarts = new RestartGate((n) => this.#backoff(n), options.restartGraceMs ?? 120_000);
    this.#maintenance = new MaintenanceWatch(options.calendar ?? null);
    this.#probe = new ApiProbe({
      settings: options.probe, stats: this.#stats, now: this.#now,
      onNotice: (n, change) => this.#onNotice(n, change),
      onClosed: () => this.#kick(0),
    });
    this.#since = this.#now();
  }

  // --- lifecycle and inputs -------------------------------------------------------------------

  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#setState('unknown', 'starting');
    this.#kick(0);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#epoch++;
    if (this.#timer !== null) this.#clearTimeout(this.#timer);
    this.#timer = null;
    this.#probe.drop();
    this.#setState('stopped', 'keeper stopped');
    await Promise.all([this.#gate.close(), this.#history.flush()]);
  }

  /** The kind's loginGate: every launch is a full IBKR login. */
  async admitLogin(): Promise<void> {
    await this.#gate.admit();
    this.#ibc = null;
    this.#counters.logins++;
  }

  onGatewayReady(): void {
    this.#restarts.sawDown();
    this.#hang.reset();
    this.#kick(0);
  }

  onGatewayDown(exit?: { code: number | null; signal: string | null }): void {
    this.#epoch++;
    this.#probe.drop();
    this.#restarts.sawDown();
    this.#hang.reset();
    // The exit status says it even when the line was lost (output dropped under load).
    if (exit?.code === EXIT_SECOND_FACTOR_TIMEOUT && this.#ibc?.outcome !== 'second-factor-timeout') this.#ibcSaid('second-factor-timeout');
    if (this.#started && !this.#stopped) this.#setState(...this.#notReadyState(false));
    this.#kick(this.#poll);
  }

  /** Every captured line of the gateway's output (the supervisor's 'line' event). */
  onGatewayLine(text: string): void {
    const outcome = ibcOutcome(text);
    if (outcome) this.#ibcSaid(outcome);
  }

  #ibcSaid(outcome: IbcOutcome): void {
    if (this.#stopped) return;
    this.#ibc = { outcome, at: this.#now() };
    void this.#onIbc(outcome).catch((err: Error) => this.#event('session.error', 'error', `handling IBC's ${outcome} failed: ${err.message}`));
  }

  checkNow(): void {
    this.#kick(0);
  }

  /** An operator says the credentials are fixed: the block goes and the gateway starts again. */
  async clearLoginBlock(): Promise<void> {
    await this.#gate.clear();
    if (!this.#o.gateway.isRunning()) await this.#o.gateway.restart('login block cleared by an operator');
    this.checkNow();
  }

  allowNonEssential(): boolean {
    return true;
  }

  /**
   * A planned restart. Inside a maintenance window, with IBC's command server at hand and the
   * gateway logged in, IBC's RESTART: the gateway restarts in place and keeps its login (no
   * second factor). Otherwise — or when RESTART is refused — the supervisor's group restart.
   */
  async plannedRestart(reason: string): Promise<'ibc' | 'group'> {
    const port = this.#o.commandServerPort ?? 0;
    if (port > 0 && this.#o.calendar?.current(this.#now()) && this.#probe.connected) {
      try {
        await ibcCommand('RESTART', { port, timeoutMs: Math.max(1000, this.#o.probe.timeoutMs) });
        this.#counters.ibcRestarts++;
        this.#recordRecovery('restart', 'requested', 0, `IBC RESTART: ${reason}`);
        this.#event('session.restart', 'info', `IBC restarts the gateway in place, no second factor: ${reason}`, { reason, via: 'ibc' });
        this.#setState('restarting', `IBC RESTART: ${reason}`);
        return 'ibc';
      } catch (err) {
        this.#event('session.restart', 'warn', `IBC RESTART not possible (${(err as Error).message}): restarting the process group`, { reason, via: 'group' });
      }
    }
    await this.#o.gateway.restart(reason);
    return 'group';
  }

  // --- the loop ---------------------------------------------------------------------------------

  #kick(delayMs: number): void {
    if (this.#stopped || !this.#started) return;
    if (this.#timer !== null) this.#clearTimeout(this.#timer);
    const delay = Math.max(0, Math.round(delayMs));
    this.#nextCheckAt = this.#now() + delay;
    this.#timer = this.#setTimeout(() => {
      this.#timer = null;
      void this.#run();
    }, delay);
  }

  async #run(): Promise<void> {
    if (this.#busy) {
      this.#rerun = true;
      return;
    }
    this.#busy = true;
    let delay = this.#o.probe.intervalMs;
    try {
      delay = await this.#step();
    } catch (err) {
      this.#log.error({ err }, 'tws keeper step failed');
      this.#event('session.error', 'error', `keeper step failed: ${(err as Error).message}`);
    } finally {
      this.#busy = false;
    }
    if (this.#rerun) {
      this.#rerun = false;
      delay = 0;
    }
    this.#kick(delay);
  }

  async #step(): Promise<number> {
    const now = this.#now();
    this.#trackMaintenance(now);
    const running = this.#o.gateway.isRunning();
    const ready = running && this.#o.gateway.isReady();
    const pending = this.#restarts.pending;
    if (pending && !this.#restarts.settle(ready, now)) {
      this.#setState('restarting', pending.reason);
      return this.#poll;
    }
    if (!ready) {
      this.#probe.drop();
      this.#hang.reset();
      this.#setState(...this.#notReadyState(running));
      return this.#poll;
    }
    const epoch = this.#epoch;
    const r = await this.#probe.look();
    this.#counters.tickles++;
    if (epoch !== this.#epoch || this.#stopped) {
      this.#probe.drop(); // the gateway went down meanwhile: what was learned is stale
      return 0;
    }
    switch (r.kind) {
      case 'answered':
        this.#answered();
        return this.#o.probe.intervalMs;
      case 'unanswered':
        return this.#unanswered(r.what, r.detail, now);
      case 'reconnect':
        this.#setState(this.#probe.link.lost ? 'ibkr-unreachable' : 'unresponsive', 'reqCurrentTime went unanswered; the gateway answers a new connection: reconnecting');
        return 0;
      case 'refused':
        // The supervisor saw the port open; closed now while the launcher lives: IBC restarts the
        // gateway in place (what IBC says about that login, a second factor say, tells more).
        this.#setState(...(ibcState(this.#ibc?.outcome, this.#o.config.competing) ?? ['restarting', 'the API port is closed while the launcher runs: IB Gateway restarts itself']));
        return this.#poll;
      case 'denied':
        return this.#wait('access-denied', "the gateway closed the daemon's API connection unanswered: is access.probeAddress in jts.ini TrustedIPs?");
      case 'client-id-in-use':
        return this.#wait('gateway-error', `client id ${this.#o.probe.clientId} is used by another API client: change gateway.ibgateway.probe.clientId`);
      default:
        return this.#wait('gateway-error', `TWS API: ${r.detail}`);
    }
  }

  /** The API answered: the gateway is alive and logged in; IBKR's reachability is the link's. */
  #answered(): void {
    this.#hang.reset();
    this.#waits = 0;
    if (this.#restarts.inRow > 0) this.#counters.recoveriesOk++;
    this.#restarts.succeeded();
    this.#ibc = null;
    const lost = this.#probe.link.lost;
    this.#setState(lost ? 'ibkr-unreachable' : 'authenticated', lost ? `IB Gateway reports IBKR unreachable (${lost.code}); waiting for it to reconnect` : null);
  }

  #unanswered(what: string, detail: string, now: number): number {
    const verdict = this.#hang.observe('timeout', now);
    const counted = `${what} not answered (${detail}); ${this.#hang.count} in a row`;
    if (verdict !== 'hung') {
      this.#setState('unresponsive', counted);
      return Math.min(1000, this.#o.probe.intervalMs);
    }
    const reason = `hang: ${counted}`;
    if (this.#maintenance.window) {
      this.#setState('unresponsive', `${reason}; inside a maintenance window: no restart`);
      this.#hang.reset();
      return this.#o.probe.intervalMs;
    }
    return this.#requestRestart(reason, now);
  }

  #wait(state: KeeperState, reason: string): number {
    this.#waits++;
    this.#setState(state, reason);
    return Math.min(this.#backoff(this.#waits), this.#o.probe.intervalMs * 6);
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
    this.#probe.drop();
    this.#recordRecovery('restart', 'requested', 0, reason);
    this.#setState('restarting', reason);
    this.#event('session.restart', 'warn', `restarting the gateway: ${reason}`, { reason, via: 'group' });
    this.emit('restart', reason);
    Promise.resolve()
      // Only hangs come here: a hung gateway will not shut down cleanly, so the short grace.
      .then(() => this.#o.gateway.restart(reason, { graceMs: this.#o.config.hangStopGraceMs }))
      .then(() => {
        restart.resolved = true;
        this.#kick(0);
      })
      .catch((err: Error) => this.#event('session.restart-failed', 'error', `gateway restart failed: ${err.message}`));
    return this.#poll;
  }

  // --- conditions -------------------------------------------------------------------------------

  #notReadyState(running: boolean): [KeeperState, string] {
    const blocked = this.#gate.blocked();
    if (blocked) return ['login-blocked', `automated logins stopped: ${blocked.reason}`];
    const fromIbc = ibcState(this.#ibc?.outcome, this.#o.config.competing);
    if (fromIbc) return fromIbc;
    if (this.#restarts.pending) return ['restarting', this.#restarts.pending.reason];
    return running ? ['gateway-starting', 'waiting for the API port'] : ['gateway-down', 'gateway process not running'];
  }

  async #onIbc(outcome: IbcOutcome): Promise<void> {
    const r = ibcReaction(outcome, this.#o.config.competing);
    if (r.event) this.#event('session.ibc', r.event.level, r.event.message, { outcome });
    // The stop goes first, the block's write beside it: after "Login failed" IBC cold-restarts and
    // types the same password again (the simulator within ~0.3 s), and writing the block to disk
    // (fsync) can take longer than that on a busy disk — each retry brings the account nearer
    // to IBKR's lock. The stop's own state does not depend on the block being on disk.
    const stopping = r.stop ? Promise.resolve(this.#o.gateway.stop(r.stop, r.urgent ? { graceMs: 0 } : {})) : null;
    if (r.block) {
      await this.#gate.block(r.block);
      this.#setState('login-blocked', `${r.block}; fix the credentials, then clear the block`);
    }
    if (stopping) await stopping;
    if (!r.block && outcome !== 'login-completed' && outcome !== 'existing-session-continued' && !this.#probe.connected) {
      this.#setState(...this.#notReadyState(this.#o.gateway.isRunning()));
    }
  }

  #onNotice(n: ApiNotice, change: ConnectivityChange): void {
    if (change.link === 'lost') {
      this.#event('session.connectivity', 'warn', `IB Gateway lost IBKR (${n.code}): ${n.text}`, { code: n.code, connected: false });
      this.#setState('ibkr-unreachable', `IB Gateway reports IBKR unreachable (${n.code}); waiting for it to reconnect`);
    } else if (change.link === 'restored') {
      this.#event('session.connectivity', 'info', `IBKR reachable again (${n.code}): ${n.text}`, { code: n.code, connected: true, dataLost: n.code === 1101 });
      this.#setState('authenticated', null);
    }
    if (change.farm) {
      const { name, state } = change.farm;
      this.#event('session.farm', state === 'broken' ? 'warn' : 'info', `data farm ${name}: ${state} (${n.code})`, { farm: name, state, code: n.code });
    }
  }

  #trackMaintenance(now: number): void {
    const edge = this.#maintenance.update(now);
    if (!edge) return;
    const w = edge.window;
    if (edge.kind === 'ended') {
      this.#hang.reset();
      this.#restarts.succeeded();
    }
    this.#event('session.maintenance', 'info', edge.kind === 'entered' ? `maintenance window until ${new Date(w.end).toISOString()}: outages expected, no restarts` : 'maintenance window ended',
      { start: w.start, end: w.end, active: edge.kind === 'entered' });
    this.emit('maintenance', { active: edge.kind === 'entered', window: w });
  }

  #backoff(attempt: number): number {
    return backoffDelay(this.#o.config.recoveryBackoff, attempt, this.#o.random ?? Math.random);
  }

  #recordRecovery(kind: RecoveryRecord['kind'], result: string, ms: number, detail: string): void {
    this.#lastRecovery = { kind, result, at: this.#now(), ms: Math.round(ms), detail };
    this.#event('session.recovery', 'info', `${kind}: ${result} (${detail})`, { ...this.#lastRecovery });
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
    try {
      this.#o.onEvent?.({ type, level, message, ...(data ? { data } : {}) });
    } catch { /* a sink's failure is not ours */ }
  }

  // --- read side --------------------------------------------------------------------------------

  status(): TwsSessionStatus {
    const authenticated = this.#state === 'authenticated';
    const running = this.#started && this.#o.gateway.isRunning();
    const connected = this.#probe.connected;
    const level = ladderLevel({ running, ready: this.#o.gateway.isReady(), answering: connected, authenticated });
    const w = this.#maintenance.window;
    const lost = this.#probe.link.lost;
    const server = this.#probe.server;
    return {
      state: this.#state, since: this.#since, reason: this.#reason, authenticated,
      connected: connected && !lost, competing: this.#state === 'competing', ssoExpiresAt: null,
      lastTickleAt: this.#probe.lastAnsweredAt, lastTickleMs: this.#probe.lastMs, loginsToday: this.#gate.usedToday(), loginUrl: '',
      loginBlocked: this.#gate.blocked(), penaltyUntil: null,
      inMaintenance: w !== null, maintenanceWindow: w ? { start: w.start, end: w.end, reason: w.reason } : null,
      ladder: {
        level, name: LADDER_LEVELS[level], hangCount: this.#hang.count, recoveryAttempts: 0, restartsInRow: this.#restarts.inRow,
        nextCheckAt: this.#nextCheckAt, lastRecovery: this.#lastRecovery,
      },
      tws: {
        clientId: this.#o.probe.clientId, serverVersion: server?.version ?? null, connectionTime: server?.time ?? null,
        accounts: server?.accounts ?? [], connectivity: connected ? (lost ? 'lost' : 'ok') : 'unknown', farms: this.#probe.link.farms(),
        lastNotice: this.#probe.link.lastNotice, lastIbc: this.#ibc, ibcRestarts: this.#counters.ibcRestarts,
      },
    };
  }

  metrics(): SessionMetrics {
    const now = this.#now();
    const { ibcRestarts: _ibc, ...counters } = this.#counters;
    return {
      endpoints: this.#stats.snapshot(),
      uptime: { lastDayPercent: this.#history.uptimePercent(86_400_000, now), lastWeekPercent: this.#history.uptimePercent(7 * 86_400_000, now) },
      stateChanges: this.#history.history(50),
      counters,
      inflight: this.#busy ? 1 : 0,
    };
  }
}
