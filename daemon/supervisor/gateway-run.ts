/**
 * One spawned gateway, from spawn to "its whole group is gone": the child, its identity
 * (pid = pgid, start time, marker), its lifeline, its exit, and the escapees seen on the way.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Duplex, Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { findEscapees } from './kill-descendants.js';
import { bootId, descendants, groupMembers, readAllStats, readStat, type ProcessIdentity } from './proc-table.js';
import type { RunRecord } from './run-record.js';
import { spawnGroup } from './process-group.js';
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

  /** Spawn, and wait for the kernel's answer: a pid, or the error (cwd vanished, EAGAIN …). */
  static async spawn(spec: Pick<LaunchSpec, 'command' | 'cwd' | 'env' | 'beforeStop'>, graceMs: number, now: () => number): Promise<GatewayRun> {
    const marker = randomUUID();
    const { child, stdout, stderr, lifeline } = spawnGroup({ command: spec.command, cwd: spec.cwd, env: spec.env, marker, graceMs });
    const failed = once(child, 'error').then(([err]) => err as Error);
    const spawned = once(child, 'spawn').then(() => null);
    const err = await Promise.race([failed, spawned]);
    if (err) throw err;
    child.on('error', () => {}); // later errors (a failed kill) are handled where they happen
    return new GatewayRun(child, lifeline, stdout, stderr, marker, now, spec.beforeStop);
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

  /** The launcher's own shutdown first (see LaunchSpec.beforeStop), bounded as a whole. */
  async #askToStop(reason: string, hook: NonNullable<LaunchSpec['beforeStop']>): Promise<void> {
    const deadline = sleep(hook.timeoutMs, 'late' as const, { ref: false });
    const asked = await Promise.race([hook.run(reason).then(() => 'asked' as const, () => 'failed' as const), deadline]);
    // Refused or failed: nobody is shutting the gateway down, so waiting would only let it go on.
    if (asked === 'asked') await Promise.race([this.exited, deadline]);
  }

  /**
   * TERM → grace → KILL for the group and escapees, verified empty; then the lifeline is let go.
   * Called for every end of a run, crashes included: the launcher's exit leaves its JVM behind.
   */
  async end(reason: string, graceMs: number): Promise<TerminateResult> {
    this.ending ??= reason;
    this.abort.abort();
    if (this.exit === null && this.#beforeStop) await this.#askToStop(reason, this.#beforeStop);
    const escapees = new Map(this.#escapees);
    for (const e of findEscapees({ leaderPid: this.exit ? null : this.pid, pgid: this.pgid, marker: this.marker, bornAfter: this.startTime >= 0 ? this.startTime : undefined })) escapees.set(e.pid, e);
    const result = await terminateGroup({ pgid: this.pgid, graceMs, escapees: [...escapees.values()] });
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
