/**
 * The Supervisor: keeps one gateway process group alive (docs/ARCHITECTURE.md, "Supervisor").
 *
 * Every change of state happens inside one serial queue, so operator calls (start, stop,
 * restart, close) and process events (exit, readiness, backoff timer, memory limit) never
 * interleave half-way. Waiting for readiness happens *outside* the queue: a stop() during a
 * 30 s start must not wait for the start to finish, it must kill it.
 *
 * Longer than the other files on purpose: it is the one place where the lifecycle is decided,
 * and every step (spawn, ready, exit, stop, backoff) reads better next to the others. The
 * mechanics live in the small files it calls.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { ERR_GATEWAY_EXITED, ERR_GATEWAY_FATAL, ERR_INVALID_TRANSITION, ERR_LAUNCH_FAILED, ERR_LAUNCH_NOT_FOUND, ERR_MEMORY_LIMIT, ERR_START_TIMEOUT, isIbgwError, type IbgwError } from '../errors.js';
import { ignoreEvents, type EventSink } from '../events.js';
import { silentLogger, type Logger } from '../logger.js';
import { Backoff } from './backoff.js';
import { GatewayRun, type RunExit } from './gateway-run.js';
import { Standby } from './standby.js';
import { LogCapture, type LogLine } from './log-capture.js';
import { asIbgwError, preflight } from './preflight.js';
import { waitForPort } from './readiness.js';
import { reconcileEvent, reconcileRun, type ReconcileReport } from './reconcile.js';
import { ResourceMonitor, type ResourceSample } from './resource-monitor.js';
import { RestartPolicy } from './restart-policy.js';
import { removeRunRecord, writeRunRecord } from './run-record.js';
import { StateMachine, type SupervisorState } from './state-machine.js';
import type { ExitInfo, GatewayStatus, LaunchSpec, SupervisorEvents, SupervisorOptions, TransitionEvent } from './types.js';

const iso = (ms: number) => new Date(ms).toISOString();

function describeExit(exit: RunExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

export class Supervisor extends EventEmitter<SupervisorEvents> {
  #o: SupervisorOptions;
  readonly #log: Logger;
  readonly #onEvent: EventSink;
  readonly #now: () => number;
  readonly #sm: StateMachine;
  readonly #backoff: Backoff;
  readonly #policy: RestartPolicy;
  readonly #capture: LogCapture;
  readonly #monitor: ResourceMonitor;
  #queue: Promise<unknown> = Promise.resolve();
  #run: GatewayRun | null = null;
  /** The fork for the next start, parked while a gateway runs (standby.ts); null when none. */
  #standby: Standby | null = null;
  /** Discards still ending their parked shell: close() waits for them. */
  #discards = new Set<Promise<void>>();
  /** Resolves when the current start attempt has an outcome (running, backoff, fatal, stopped). */
  #attempt: { done: Promise<void>; resolve: () => void } | null = null;
  /** The pending restart after a backoff delay; cancel() stops it. */
  #timer: { cancel(): void } | null = null;
  /**
   * Run-record writes and removals, in order. A removal is queued, not awaited, when a start
   * follows (the next write replaces the record anyway): a crash restart does not wait on the disk.
   */
  #records: Promise<void> = Promise.resolve();
  #restartsSinceStart = 0;
  #lastExit: ExitInfo | null = null;
  #startedAt: number | null = null;
  #readyAt: number | null = null;
  #reconciled = false;
  #closed = false;

  constructor(options: SupervisorOptions) {
    super();
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.#onEvent = options.onEvent ?? ignoreEvents;
    this.#now = options.now ?? Date.now;
    this.#sm = new StateMachine(this.#now);
    this.#backoff = new Backoff(options.restart.backoff, options.random);
    this.#policy = new RestartPolicy({ maxRestarts: options.restart.maxRestarts, windowMs: options.restart.windowMs, now: this.#now });
    this.#capture = new LogCapture({
      dir: join(options.dataDir, 'logs'),
      ...options.logs,
      redactLine: options.redactLine,
      now: this.#now,
      onLine: (line) => this.#emit('line', line),
      onError: (err) => this.#log.warn({ err }, 'gateway log file write failed'),
    });
    const limit = options.resources.memoryLimitMb;
    this.#monitor = new ResourceMonitor({
      intervalMs: options.resources.sampleIntervalMs,
      memoryLimitBytes: limit === null ? null : limit * 1024 * 1024,
      pids: () => this.#run?.pids() ?? [],
      onSample: (sample) => this.#emit('sample', sample),
      onLimit: (sample) => this.#onMemoryLimit(sample),
      logger: this.#log,
      now: this.#now,
    });
  }

  // --- public API ------------------------------------------------------------------------------

  /**
   * Apply edited timings and limits without touching the running gateway: each takes effect
   * at the next decision that reads it (next backoff delay, next start timeout, next sample).
   */
  reconfigure(changes: Pick<SupervisorOptions, 'startTimeoutMs' | 'stopGraceMs' | 'readyProbeIntervalMs' | 'restart' | 'resources'>): void {
    this.#o = { ...this.#o, ...changes };
    this.#backoff.configure(changes.restart.backoff);
    this.#policy.configure(changes.restart);
    const limit = changes.resources.memoryLimitMb;
    this.#monitor.configure({ intervalMs: changes.resources.sampleIntervalMs, memoryLimitBytes: limit === null ? null : limit * 1024 * 1024 });
    if (!this.#standbyWanted()) this.#discardStandby();
  }

  /** Kill what a previous daemon run left behind (see reconcile.ts). Only while nothing runs. */
  reconcile(): Promise<ReconcileReport> {
    return this.#serial(async () => {
      const state = this.#sm.state;
      if (state !== 'stopped' && state !== 'fatal') throw ERR_INVALID_TRANSITION('reconcile', state);
      return this.#reconcileLocked();
    });
  }

  /** Start (clears fatal). Resolves with the status once the attempt has an outcome. */
  async start(reason = 'operator start'): Promise<GatewayStatus> {
    const { wait } = await this.#serial(async () => {
      this.#assertOpen('start');
      const state = this.#sm.state;
      if (state === 'running') return { wait: Promise.resolve() };
      if (state === 'starting') return { wait: this.#attempt?.done ?? Promise.resolve() };
      // An operator start forgives past failures: fresh backoff, empty restart window.
      this.#clearTimer();
      this.#policy.clear();
      this.#backoff.reset();
      if (!this.#reconciled) await this.#reconcileLocked();
      return this.#beginAttempt(reason);
    });
    await wait;
    return this.status();
  }

  /** Stop; never followed by an automatic restart. A pending backoff restart is cancelled. */
  /**
   * `graceMs` replaces stopGraceMs for this stop and skips waiting on the launcher's own shutdown
   * (beforeStop) beyond it: for a gateway that must go at once (IBC about to retype a rejected
   * password), as for a hung one.
   */
  async stop(reason = 'operator stop', options: { graceMs?: number } = {}): Promise<GatewayStatus> {
    await this.#serial(() => this.#stopLocked(reason, true, {}, options.graceMs));
    return this.status();
  }

  /**
   * Planned restart: not counted against the restart window, backoff untouched. `graceMs`
   * replaces stopGraceMs for this stop: a gateway already judged hung will not shut down
   * cleanly, and waiting the full grace for it only lengthens the outage.
   */
  async restart(reason = 'planned restart', options: { graceMs?: number } = {}): Promise<GatewayStatus> {
    const { wait } = await this.#serial(async () => {
      this.#assertOpen('restart');
      return this.#plannedRestartLocked(reason, {}, options.graceMs);
    });
    await wait;
    return this.status();
  }

  /**
   * Stop whatever runs and stay fatal with `reason` until an operator starts it again: for a
   * caller that knows a restart cannot help (a maintenance change and its rollback both failed).
   */
  async fail(reason: string): Promise<GatewayStatus> {
    await this.#serial(async () => {
      this.#assertOpen('fail');
      const state = this.#sm.state;
      if (state === 'fatal') return;
      if (state === 'starting' || state === 'running') await this.#stopLocked(reason, false);
      this.#toFatal(reason, ERR_GATEWAY_FATAL(reason));
    });
    return this.status();
  }

  /** Stop the gateway and release files; the supervisor cannot be started again. */
  async close(): Promise<void> {
    await this.#serial(async () => {
      if (this.#closed) return;
      await this.#stopLocked('supervisor closing', true);
      await this.#records;
      this.#closed = true;
      this.#discardStandby();
      await Promise.all(this.#discards);
      this.#monitor.stop();
      await this.#capture.close();
    });
  }

  status(): GatewayStatus {
    const sample = this.#monitor.last;
    return {
      state: this.#sm.state,
      pid: this.#run?.pid ?? null,
      since: this.#sm.since,
      restartsSinceStart: this.#restartsSinceStart,
      lastExit: this.#lastExit,
      cpu: sample?.cpu ?? null,
      memory: sample?.memory ?? null,
      reason: this.#sm.reason,
      droppedLines: this.#capture.droppedLines,
      startedAt: this.#startedAt === null ? null : iso(this.#startedAt),
      readyAt: this.#readyAt === null ? null : iso(this.#readyAt),
    };
  }

  /** The newest captured gateway output lines, oldest first, already redacted. */
  logs(limit?: number): LogLine[] {
    return this.#capture.lines(limit);
  }

  /** Wait until queued log lines are on disk (tests, shutdown). */
  flushLogs(): Promise<void> {
    return this.#capture.flush();
  }

  // --- serial queue ----------------------------------------------------------------------------

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(fn);
    this.#queue = result.catch(() => {});
    return result;
  }

  /** For internal events (exit, timer, readiness): failures are logged, never unhandled. */
  #background(what: string, fn: () => Promise<void>): void {
    this.#serial(fn).catch((err) => this.#log.error({ err }, `supervisor: ${what} failed`));
  }

  #assertOpen(action: string): void {
    if (this.#closed) throw ERR_INVALID_TRANSITION(action, 'closed');
  }

  // --- steps, all called inside the queue ------------------------------------------------------

  async #reconcileLocked(): Promise<ReconcileReport> {
    await this.#records;
    const report = await reconcileRun({ dataDir: this.#o.dataDir, graceMs: this.#o.stopGraceMs });
    this.#reconciled = true;
    const event = reconcileEvent(report);
    if (event) this.#onEvent(event);
    return report;
  }

  /**
   * starting → spawned (readiness then runs outside the queue) or → backoff/fatal. The outcome
   * promise comes back wrapped: returned bare from an async function it would be awaited here,
   * holding the queue until readiness — and readiness needs the queue.
   */
  async #beginAttempt(reason: string, extra: Partial<TransitionEvent> = {}): Promise<{ wait: Promise<void> }> {
    const attempt = {} as { done: Promise<void>; resolve: () => void };
    attempt.done = new Promise<void>((r) => { attempt.resolve = r; });
    const done = attempt.done;
    this.#attempt = attempt;
    this.#transition('starting', reason, extra);
    try {
      await this.#spawnLocked();
    } catch (err) {
      // A missing program, or a launch that says retrying cannot help (details.retry false,
      // e.g. automated logins blocked), goes to fatal at once instead of a backoff loop.
      if (ERR_LAUNCH_NOT_FOUND.is(err) || (isIbgwError(err) && err.details?.retry === false)) this.#toFatal(err.message, err);
      else this.#failedStart(asIbgwError(err, (m) => ERR_LAUNCH_FAILED(m)));
    }
    return { wait: done };
  }

  async #spawnLocked(): Promise<void> {
    const spec = await preflight(() => this.#o.launch());
    const run = await GatewayRun.spawn(spec, this.#o.stopGraceMs, this.#now, this.#takeStandby(spec));
    this.#run = run;
    this.#startedAt = run.spawnedAt;
    this.#readyAt = null;
    this.#capture.attach(run.stdout, 'stdout');
    this.#capture.attach(run.stderr, 'stderr');
    void run.exited.then((exit) => this.#onExit(run, exit));
    const record = run.record(spec.command);
    this.#records = this.#records.then(() => writeRunRecord(this.#o.dataDir, record)).catch((err) => {
      // Not fatal: the lifeline still covers a daemon crash; only reconciliation loses its record.
      this.#log.error({ err }, 'could not write the gateway run record');
    });
    await this.#records;
    void this.#awaitReady(run, spec);
  }

  /** Outside the queue: probe until ready, timeout, or the run ends. */
  async #awaitReady(run: GatewayRun, spec: LaunchSpec): Promise<void> {
    const outcome = await waitForPort({
      host: spec.host, port: spec.port, timeoutMs: this.#o.startTimeoutMs, intervalMs: this.#o.readyProbeIntervalMs, signal: run.abort.signal,
    });
    if (outcome === 'aborted') return; // the exit handler or the stopper owns what happens next
    this.#background('readiness', async () => {
      // Anything may have happened while this waited for the queue: only act on the same live run.
      if (this.#run !== run || run.ending !== null || run.exit !== null || this.#sm.state !== 'starting') return;
      if (outcome === 'ready') return this.#markReady(run);
      const err = ERR_START_TIMEOUT(spec.port, this.#o.startTimeoutMs);
      // Alive but not listening (bad keystore, port taken after our check): kill it, failed start.
      if (!(await this.#endRunLocked(run, 'start timeout'))) this.#failedStart(err, run);
    });
  }

  #markReady(run: GatewayRun): void {
    run.readyAt = this.#now();
    this.#readyAt = run.readyAt;
    this.#transition('running', 'accepting connections');
    this.#emit('ready', { pid: run.pid, at: iso(run.readyAt), startupMs: run.readyAt - run.spawnedAt });
    this.#monitor.start();
    this.#attempt?.resolve();
    this.#parkStandby(run);
  }

  #standbyWanted(): boolean {
    return this.#o.restart.standby ?? true;
  }

  /**
   * Once a gateway is up, the fork for its successor is made (standby.ts): off the restart's
   * path, which then skips the daemon's fork. A failure only means the next start forks as usual.
   */
  #parkStandby(run: GatewayRun): void {
    if (!this.#standbyWanted() || this.#standby?.alive) return;
    this.#background('standby', async () => {
      if (this.#closed || this.#run !== run || run.exit !== null || this.#standby?.alive || !this.#standbyWanted()) return;
      this.#discardStandby();
      try {
        this.#standby = await Standby.spawn();
      } catch (err) {
        this.#log.warn({ err }, 'could not fork a standby for the next gateway start; it will fork then');
      }
    });
  }

  /** The parked fork if `spec` can start in it; otherwise it is let go and the start forks anew. */
  #takeStandby(spec: LaunchSpec): Standby | null {
    const standby = this.#standby;
    if (!standby) return null;
    if (standby.fits(spec)) {
      this.#standby = null;
      return standby;
    }
    this.#discardStandby();
    return null;
  }

  #discardStandby(): void {
    const standby = this.#standby;
    this.#standby = null;
    if (!standby) return;
    const discard = standby.discard().catch((err) => this.#log.warn({ err }, 'could not end the standby fork'));
    this.#discards.add(discard);
    void discard.finally(() => this.#discards.delete(discard));
  }

  #onExit(run: GatewayRun, exit: RunExit): void {
    this.#emit('exit', { pid: run.pid, code: exit.code, signal: exit.signal, at: iso(exit.at), requested: run.ending !== null });
    if (run.ending !== null) return; // a stop, restart or timeout is ending it and handles the state
    this.#background('exit handling', async () => {
      if (this.#run !== run || run.ending !== null) return;
      const wasReady = run.readyAt !== null;
      const err = ERR_GATEWAY_EXITED(wasReady ? 'while running' : 'before ready', describeExit(exit));
      // The launcher is gone but its JVM may not be: the group is emptied before anything else.
      if (await this.#endRunLocked(run, 'exited', err.message)) return;
      if (wasReady && exit.at - run.readyAt! >= this.#o.restart.stableAfterMs) this.#backoff.reset();
      this.#failedStart(err, run);
    });
  }

  /**
   * End `run` (group emptied, record removed) and set lastExit. Returns the error when the group
   * could not be emptied — the state is then fatal, because a second gateway must not start
   * beside the survivors (the run record is kept so a later reconcile can try again).
   */
  async #endRunLocked(run: GatewayRun, why: string, exitReason = why, graceMs?: number): Promise<IbgwError | null> {
    this.#monitor.stop();
    try {
      // A grace given for this stop comes from a caller who judged the gateway hung: no waiting on it.
      await run.end(why, graceMs ?? this.#o.stopGraceMs, graceMs !== undefined);
    } catch (err) {
      this.#run = null;
      const ibgw = asIbgwError(err, (m) => ERR_LAUNCH_FAILED(m));
      this.#toFatal(`could not stop the gateway: ${ibgw.message}`, ibgw, { pid: run.pid });
      return ibgw;
    }
    const exit = run.exit!;
    this.#lastExit = { code: exit.code, signal: exit.signal, at: iso(exit.at), reason: exitReason };
    this.#run = null;
    this.#records = this.#records.then(() => removeRunRecord(this.#o.dataDir)).catch((err) => this.#log.warn({ err }, 'could not remove the run record'));
    return null;
  }

  /** pid, exit code and signal of an ended run, for the transition that follows it. */
  #exitFacts(run: GatewayRun | undefined): Partial<TransitionEvent> {
    return run?.exit ? { pid: run.pid, exitCode: run.exit.code, signal: run.exit.signal } : {};
  }

  /** A failed start or a crash: backoff, or fatal once the restart window is exceeded. */
  #failedStart(err: IbgwError, run?: GatewayRun): void {
    const exitFacts = this.#exitFacts(run);
    if (!this.#policy.tryRestart()) {
      const { maxRestarts, windowMs } = this.#o.restart;
      const fatal = ERR_GATEWAY_FATAL(`more than ${maxRestarts} restarts within ${windowMs} ms; last: ${err.message}`);
      fatal.details = { cause: err.code, ...err.details };
      this.#toFatal(fatal.message, fatal, exitFacts);
      return;
    }
    const delayMs = this.#backoff.next();
    this.#transition('backoff', err.message, { ...exitFacts, code: err.code, details: err.details, delayMs });
    const restart = (): void => {
      this.#background('restart after backoff', async () => {
        if (this.#timer !== timer || this.#sm.state !== 'backoff') return; // cancelled meanwhile
        this.#timer = null;
        this.#restartsSinceStart++;
        await this.#beginAttempt(`automatic restart ${this.#policy.count} of ${this.#o.restart.maxRestarts}`);
      });
    };
    // No delay (backoff.initialMs 0): the next turn of the event loop, not a timer's 1 ms minimum.
    const timer = delayMs > 0
      ? ((h) => ({ cancel: () => clearTimeout(h) }))(setTimeout(restart, delayMs))
      : ((h) => ({ cancel: () => clearImmediate(h) }))(setImmediate(restart));
    this.#timer = timer;
    this.#attempt?.resolve();
  }

  #toFatal(reason: string, err: unknown, extra: Partial<TransitionEvent> = {}): void {
    const code = isIbgwError(err) ? err.code : undefined;
    const details = isIbgwError(err) ? err.details : undefined;
    this.#clearTimer();
    this.#discardStandby();
    this.#transition('fatal', reason, { ...extra, code, details });
    this.#attempt?.resolve();
  }

  /** Stop whatever runs. `final`: end in stopped; otherwise leave 'stopping' for a new start. */
  async #stopLocked(reason: string, final: boolean, extra: Partial<TransitionEvent> = {}, graceMs?: number): Promise<void> {
    const state = this.#sm.state;
    if (state === 'stopped' || state === 'fatal') return; // fatal stays until an operator start
    if (state === 'backoff') {
      this.#clearTimer();
      if (final) this.#transition('stopped', reason, extra);
      return;
    }
    // starting or running: inside the queue a run always exists in these states.
    const run = this.#run!;
    this.#transition('stopping', reason, extra);
    const failure = await this.#endRunLocked(run, reason, `stopped: ${reason}`, graceMs);
    if (failure) throw failure;
    if (final) {
      this.#discardStandby(); // a stopped gateway leaves nothing parked either
      await Promise.all(this.#discards);
      await this.#records; // stopped means no record left behind
      this.#transition('stopped', reason, this.#exitFacts(run));
    }
    // A start() still waiting for this attempt gets its answer: it was stopped.
    this.#attempt?.resolve();
  }

  async #plannedRestartLocked(reason: string, extra: Partial<TransitionEvent> = {}, graceMs?: number): Promise<{ wait: Promise<void> }> {
    const state = this.#sm.state;
    if (state === 'stopped' || state === 'fatal') {
      // Nothing to restart: behaves as an operator start (and so clears fatal).
      this.#policy.clear();
      this.#backoff.reset();
      return this.#beginAttempt(reason, extra);
    }
    await this.#stopLocked(reason, false, extra, graceMs);
    this.#restartsSinceStart++;
    return this.#beginAttempt(reason, extra);
  }

  #onMemoryLimit(sample: ResourceSample): void {
    const limitMb = this.#o.resources.memoryLimitMb!;
    const err = ERR_MEMORY_LIMIT(Math.round(sample.memory / 1048576), limitMb);
    // Reported by the restart's own transition (its reason, code and details), not logged here.
    const run = this.#run;
    this.#background('memory-limit restart', async () => {
      if (this.#closed || this.#run !== run || this.#sm.state !== 'running') return;
      await this.#plannedRestartLocked(err.message, { code: err.code, details: { memory: sample.memory, limitMb } });
    });
  }

  #clearTimer(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }

  // --- reporting -------------------------------------------------------------------------------

  #transition(to: SupervisorState, reason: string, extra: Partial<TransitionEvent> = {}): void {
    const change = this.#sm.transition(to, reason);
    const event: TransitionEvent = { ...change, pid: this.#run?.pid ?? null, exitCode: null, signal: null, ...extra };
    for (const key of Object.keys(event) as (keyof TransitionEvent)[]) if (event[key] === undefined) delete event[key];
    const level = to === 'fatal' ? 'error' : to === 'backoff' ? 'warn' : 'info';
    // Not logged here: the daemon's event sink logs every event, once.
    this.#onEvent({ type: 'gateway.transition', level, message: `gateway ${change.from} -> ${to}: ${reason}`, data: { ...event } });
    this.#emit('transition', event);
  }

  /** A throwing listener must not break the supervisor's own bookkeeping. */
  #emit<K extends keyof SupervisorEvents>(name: K, ...args: SupervisorEvents[K]): void {
    try {
      (this.emit as (n: K, ...a: SupervisorEvents[K]) => boolean)(name, ...args);
    } catch (err) {
      this.#log.error({ err }, `supervisor '${String(name)}' listener threw`);
    }
  }
}
