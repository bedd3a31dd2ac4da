/**
 * A fork made ahead of the next gateway start.
 *
 * Node spawns by fork(): the kernel copies the daemon's page tables, and the child tears them
 * down again at exec. For a daemon of ~80 MB that is ~4 ms (measured: 1.3 ms from a bare node,
 * 3 ms with 50 MB more, 14 ms with 200 MB more), paid on every restart while the gateway is
 * down — most of what the daemon adds to a restart over a bare spawn loop. A standby pays it
 * while the gateway runs: lifeline.sh started as the leader of a group of its own, parked on a
 * read of its stdin. The next start writes the run's grace, directory, environment and command
 * to it, and the shell starts the gateway exactly as a fresh spawn does (watcher forked, gateway
 * exec'd: pid = pgid, exact exit code).
 *
 * Parked, it is nobody's gateway: no run marker, '/' as its directory, no command in its argv.
 * It holds no lifeline watcher yet and ends itself at EOF on stdin — when the daemon dies, or
 * when it is discarded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { DAEMON_SECRET_ENV, gatewayBaseEnv, graceSeconds, groupChild, LIFELINE_SCRIPT, RUN_MARKER_ENV, spawned, type GroupChild } from './process-group.js';
import { isAlive } from './proc-table.js';
import type { LaunchSpec } from './types.js';

/** What lifeline.sh's `export NAME=value` can take. */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The environment as one comparable value. */
const envKey = (env: NodeJS.ProcessEnv): string => JSON.stringify(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

const oneLine = (value: string): boolean => !value.includes('\n');

export class Standby {
  readonly pid: number;
  readonly #child: ChildProcess;
  readonly #stdin: Writable;
  /** The environment it was forked with; a start needs the same one. */
  readonly #env: string;
  #used = false;

  private constructor(child: ChildProcess, env: string) {
    this.#child = child;
    this.pid = child.pid!;
    this.#stdin = child.stdin!;
    // A standby that died meanwhile makes the write fail: its start is then a failed start.
    this.#stdin.on('error', () => {});
    this.#env = env;
  }

  static async spawn(): Promise<Standby> {
    const env = gatewayBaseEnv();
    const child = spawn('/bin/sh', [LIFELINE_SCRIPT, '--standby'], {
      cwd: '/',
      env,
      // As spawnGroup: a session and a group of its own, which the gateway will lead.
      detached: true,
      // stdin brings the start; 1, 2 and the lifeline (3) are the future gateway's.
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    await spawned(child);
    return new Standby(child, envKey(env));
  }

  get alive(): boolean {
    // The kernel's word too: a standby killed a moment ago is a zombie until node reaps it on a
    // later turn of the event loop, and a start written to it would be a failed start (backoff).
    return !this.#used && this.#child.exitCode === null && this.#child.signalCode === null && isAlive(this.pid);
  }

  /**
   * Whether `spec` can start here: the standby is alive and unused, the daemon's environment is
   * what it was forked with, the directory exists (a fresh spawn reports a missing one in its
   * own words) and every value fits on a line.
   */
  fits(spec: Pick<LaunchSpec, 'command' | 'cwd' | 'env'>): boolean {
    if (!this.alive || envKey(gatewayBaseEnv()) !== this.#env) return false;
    if (!spec.command.every(oneLine) || !oneLine(spec.cwd)) return false;
    if (!Object.entries(spec.env).every(([name, value]) => SHELL_NAME.test(name) && oneLine(value))) return false;
    try {
      return statSync(spec.cwd).isDirectory();
    } catch {
      return false;
    }
  }

  /** Start `spec` in the parked shell (only after fits()). The pipes are the gateway's from here. */
  start(spec: Pick<LaunchSpec, 'command' | 'cwd' | 'env'>, marker: string, graceMs: number): GroupChild {
    this.#used = true;
    const env = Object.entries({ ...spec.env, [RUN_MARKER_ENV]: marker })
      .filter(([name]) => !(DAEMON_SECRET_ENV as readonly string[]).includes(name))
      .map(([name, value]) => `${name}=${value}`);
    const lines = [graceSeconds(graceMs), spec.cwd, String(env.length), ...env, String(spec.command.length), ...spec.command];
    this.#stdin.end(`${lines.join('\n')}\n`);
    return groupChild(this.#child);
  }

  /** Let it go unused: EOF ends the parked shell; KILL if it has not gone within `boundMs`. */
  async discard(boundMs = 1000): Promise<void> {
    if (this.#used) return;
    this.#used = true;
    const child = this.#child;
    const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit').then(() => undefined);
    this.#stdin.end();
    if ((await Promise.race([exited, sleep(boundMs, 'late' as const, { ref: false })])) === 'late') {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
      await exited;
    }
    for (const stream of child.stdio) stream?.destroy();
  }
}
