/**
 * One spawned gateway, from spawn to "its whole group is gone": the child, its identity
 * (pid = pgid, start time, marker), its lifeline, its exit, and the escapees seen on the way.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Duplex, Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { findEscapees } from './kill-descendants.js';
import { bootId, descendants, groupMembers, readAllStats, readCmdline, readStat, type ProcessIdentity, type ProcStat } from './proc-table.js';
import type { RunRecord } from './run-record.js';
import { LIFELINE_SCRIPT, signalGroup, spawned, spawnGroup, type GroupChild } from './process-group.js';
import type { Standby } from './standby.js';
import { terminateGroup, type TerminateResult } from './terminate.js';
import type { LaunchSpec } from './types.js';

export interface RunExit {
  code: number | null;
  signal: string | null;
  at: number;
}

export class GatewayRun {
  readonly pid: number;
  readonly marker: string;
  readonly startTime: number;
  readonly spawnedAt: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readyAt: number | null = null;
  exit: RunExit | null = null;
  /** Set when the supervisor ends this run on purpose; its exit is then not a crash. */
  ending: string | null = null;
  /** Aborted on exit or when the run is being ended: the readiness probe stops. */
  readonly abort = new AbortController();
  readonly exited: Promise<RunExit>;
  readonly #lifeline: Duplex;
  readonly #beforeStop: LaunchSpec['beforeStop'];
  /** Escapees met while sampling: after the launcher dies they can no longer be found by parent links. */
  readonly #escapees = new Map<number, ProcessIdentity>();

  private constructor(child: ChildProcess, lifeline: Duplex, stdout: Readable, stderr: Readable, marker: string, now: () => number, beforeStop: LaunchSpec['beforeStop']) {
    this.#beforeStop = beforeStop;
    this.#lifeline = lifeline;
    this.stdout = stdout;
    this.stderr = stderr;
    this.marker = marker;
    this.pid = child.pid!;
    this.spawnedAt = now();
    // Read at once: the start time is what later proves "this pid is still our gateway".
    this.startTime = readStat(this.pid)?.startTime ?? -1;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal, at: now() };
        this.abort.abort();
        resolve(this.exit);
      });
    });
  }

  /**
   * Spawn, and wait for the kernel's answer: a pid, or the error (cwd vanished, EAGAIN …).
   * With a `standby` that fits the spec, the start happens in that fork made earlier (standby.ts).
   */
  static async spawn(spec: Pick<LaunchSpec, 'command' | 'cwd' | 'env' | 'beforeStop'>, graceMs: number, now: () => number, standby: Standby | null = null): Promise<GatewayRun> {
    const marker = randomUUID();
    let group: GroupChild;
    if (standby) {
      group = standby.start(spec, marker, graceMs);
    } else {
      group = spawnGroup({ command: spec.command, cwd: spec.cwd, env: spec.env, marker, graceMs });
      await spawned(group.child);
    }
    return new GatewayRun(group.child, group.lifeline, group.stdout, group.stderr, marker, now, spec.beforeStop);
  }

  get pgid(): number {
    return this.pid;
  }

  /** What a later daemon needs to find this run, and only this run (see run-record.ts). */
  record(command: string[]): RunRecord {
    return {
      version: 1, pid: this.pid, pgid: this.pgid, startTime: this.startTime, bootId: bootId(), marker: this.marker,
      command, startedAt: new Date(this.spawnedAt).toISOString(), daemonPid: process.pid,
    };
  }

  /** Live pids of the group plus escaped descendants — everything that is this gateway now. */
  pids(): number[] {
    const stats = readAllStats();
    const members = groupMembers(this.pgid, stats).map((s) => s.pid);
    for (const d of descendants(this.pid, stats)) {
      if (d.pgid !== this.pgid) this.#escapees.set(d.pid, { pid: d.pid, startTime: d.startTime });
    }
    const escaped = [...this.#escapees.values()].filter((e) => stats.some((s) => s.pid === e.pid && s.startTime === e.startTime));
    return [...members, ...escaped.map((e) => e.pid)];
  }

  /**
   * The lifeline's watcher: the subshell lifeline.sh forked before it exec'd the gateway. Until
   * its pipe closes it only runs shell builtins (read, :), so it never forks.
   */
  #isWatcher(member: ProcStat): boolean {
    if (member.pid === this.pid) return false; // the leader itself, before its exec, is lifeline.sh too
    const argv = readCmdline(member.pid);
    return argv !== null && argv[1] === LIFELINE_SCRIPT;
  }

  /** The launcher's own shutdown first (see LaunchSpec.beforeStop), bounded as a whole. */
  async #askToStop(reason: string, hook: NonNullable<LaunchSpec['beforeStop']>, boundMs: number): Promise<void> {
    const deadline = sleep(boundMs, 'late' as const, { ref: false });
    const asked = await Promise.race([hook.run(reason).then(() => 'asked' as const, () => 'failed' as const), deadline]);
    // Refused or failed: nobody is shutting the gateway down, so waiting would only let it go on.
    if (asked === 'asked') await Promise.race([this.exited, deadline]);
  }

  /**
   * TERM → grace → KILL for the group and escapees, verified empty; then the lifeline is let go.
   * Called for every end of a run, crashes included: the launcher's exit leaves its JVM behind.
   * `hurry`: the gateway is known not to shut down cleanly (judged hung), so the launcher's own
   * shutdown (beforeStop) gets no more than the grace either.
   */
  async end(reason: string, graceMs: number, hurry = false): Promise<TerminateResult> {
    this.ending ??= reason;
    this.abort.abort();
    const hook = this.#beforeStop;
    if (this.exit === null && hook) await this.#askToStop(reason, hook, hurry ? Math.min(hook.timeoutMs, graceMs) : hook.timeoutMs);
    // The launcher is gone (a crash): what is left of its group is told to go before the process
    // table is read, so it dies while the scan runs instead of after it (terminateGroup signals
    // again, for anything the scan finds that this TERM missed).
    if (this.exit !== null) {
      signalGroup(this.pgid, 'SIGTERM');
      signalGroup(this.pgid, 'SIGCONT');
    }
    // One read of the process table serves both the escapee search and the group's members.
    const stats = readAllStats();
    const escapees = new Map(this.#escapees);
    const query = { leaderPid: this.exit ? null : this.pid, pgid: this.pgid, marker: this.marker, bornAfter: this.startTime >= 0 ? this.startTime : undefined };
    for (const e of findEscapees(query, stats)) escapees.set(e.pid, e);
    const result = await terminateGroup({
      pgid: this.pgid, graceMs, escapees: [...escapees.values()], stats, nonForking: (m) => this.#isWatcher(m),
    });
    // The group is empty, so the leader is dead and node reaps it at once. The bound only guards
    // against a leader that moved itself to another group (setpgid) and so escaped the kill.
    const late = await Promise.race([this.exited, sleep(2000, 'late' as const, { ref: false })]);
    if (late === 'late' && readStat(this.pid)?.startTime === this.startTime) {
      process.kill(this.pid, 'SIGKILL');
      await this.exited;
    }
    // Only now: destroying the lifeline earlier would make the watcher start its own TERM/KILL.
    this.#lifeline.destroy();
    // With the whole group dead nobody holds the pipes: wait for their last bytes, so the lines
    // explaining an exit are captured before the exit is reported. Bounded, in case a process
    // outside the group (an escapee that ignored the kill) still has them open.
    const drained = Promise.all([this.stdout, this.stderr].map((s) => finished(s).catch(() => {})));
    await Promise.race([drained, sleep(1000, undefined, { ref: false })]);
    return result;
  }
}
