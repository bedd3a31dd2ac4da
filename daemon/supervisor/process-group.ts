/**
 * Spawning the gateway as the leader of its own process group, behind the lifeline.
 *
 * The real launchers (clientportal's run.sh, IBC's scripts) start the JVM as a child and do
 * not exec it, so signalling the launcher's pid misses the JVM. A group of its own lets one
 * kill(-pgid) reach the launcher, the JVM and anything else they start, without touching the
 * daemon's own group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Readable, Duplex } from 'node:stream';

/** Environment variable carrying the per-run marker (see run-record.ts, reconcile.ts). */
export const RUN_MARKER_ENV = 'IBGW_RUN_MARKER';

/** Environment variables that hold the daemon's secrets and never reach a child process. */
export const DAEMON_SECRET_ENV = ['ENCRYPTION_KEY', 'ENCRYPTION_IV', 'IBGW_ADMIN_TOKEN'] as const;

export const LIFELINE_SCRIPT = fileURLToPath(new URL('./lifeline.sh', import.meta.url));

export interface GroupSpawnOptions {
  command: string[];
  cwd: string;
  env: Record<string, string>;
  marker: string;
  /** How long the lifeline watcher waits between TERM and KILL once the daemon is gone. */
  graceMs: number;
}

export interface GroupChild {
  child: ChildProcess;
  stdout: Readable;
  stderr: Readable;
  /** The daemon's end of the lifeline: destroying it makes the watcher kill the group. */
  lifeline: Duplex;
}

/**
 * What every gateway starts with: the daemon's environment (a gateway needs PATH, HOME,
 * JAVA_HOME … that the daemon was started with) without the daemon's own secrets — a gateway's
 * start log and crash dumps print the environment.
 */
export function gatewayBaseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of DAEMON_SECRET_ENV) delete env[name];
  return env;
}

/** The grace as lifeline.sh reads it (`sleep` takes fractions). */
export const graceSeconds = (graceMs: number): string => (Math.max(0, graceMs) / 1000).toFixed(3);

/** The pipes of a child spawned with stdio [stdin, pipe, pipe, pipe]. */
export function groupChild(child: ChildProcess): GroupChild {
  const stdio = child.stdio as unknown as [unknown, Readable, Readable, Duplex];
  // Nothing ever arrives on the lifeline; a 'data' listener is not needed, only no crash on error.
  stdio[3].on('error', () => {});
  return { child, stdout: stdio[1], stderr: stdio[2], lifeline: stdio[3] };
}

/** Resolves once the kernel has a pid for `child`; rejects with the spawn's error (cwd vanished, EAGAIN …). */
export async function spawned(child: ChildProcess): Promise<void> {
  const failed = once(child, 'error').then(([err]) => err as Error);
  const ok = once(child, 'spawn').then(() => null);
  const err = await Promise.race([failed, ok]);
  if (err) throw err;
  child.on('error', () => {}); // later errors (a failed kill) are handled where they happen
}

export function spawnGroup(options: GroupSpawnOptions): GroupChild {
  // The launch spec's env is layered over the daemon's (as execa's extendEnv does); the
  // daemon's secrets stay out even when a spec names them.
  const env: NodeJS.ProcessEnv = { ...gatewayBaseEnv(), ...options.env, [RUN_MARKER_ENV]: options.marker };
  for (const name of DAEMON_SECRET_ENV) delete env[name];
  const child = spawn('/bin/sh', [LIFELINE_SCRIPT, graceSeconds(options.graceMs), ...options.command], {
    cwd: options.cwd,
    env,
    // detached = setsid(): a new session and a new group whose id is the child's pid. Nothing
    // reaches it from the daemon's terminal, and kill(-pid) reaches the whole gateway.
    detached: true,
    // fd 3 is the lifeline. stdin is ignored: a gateway reading a closed terminal would hang.
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  return groupChild(child);
}

/**
 * Signal every process in group `pgid`. Returns false when the group no longer exists.
 * Only negative pids are used: a positive one could hit a pid reused by a stranger.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) throw new RangeError(`refusing to signal process group ${pgid}`);
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
