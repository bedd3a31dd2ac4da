/**
 * Finding and ending the login browser's processes. Playwright starts Chromium detached, so the
 * browser leads a process group of its own and kill(-pgid) ends it; but Chromium's crash
 * handler double-forks into a session of its own and escapes the group. Every process of an
 * attempt is therefore also recognised by the attempt's profile folder (in the command line:
 * `--user-data-dir`, and the crash handler's database under the browser's HOME) or by the
 * attempt's marker in its start environment.
 */
import { join } from 'node:path';
import { signalGroup } from '../supervisor/process-group.js';
import { isAlive, isLive, processesWithEnv, readAllStats, readCmdline, type ProcStat } from '../supervisor/proc-table.js';

export const LOGIN_MARKER_ENV = 'IBGW_LOGIN_MARKER';

/**
 * The attempt's TMPDIR, inside its profile folder. Chromium keeps its singleton socket in a
 * folder under TMPDIR and Playwright its artifacts under the worker's: a browser killed
 * mid-attempt leaves both behind, and under /tmp nothing would remove them (one more folder per
 * killed login, for as long as the machine runs). Inside the profile they go with it.
 */
export const attemptTmpDir = (profileDir: string): string => join(profileDir, '.tmp');

export interface BrowserIdentity {
  profileDir: string;
  marker: string;
}

/** Live processes of one attempt (never this process). */
export function browserProcesses(id: BrowserIdentity, stats: ProcStat[] = readAllStats()): ProcStat[] {
  const found = new Map<number, ProcStat>();
  for (const s of stats) {
    if (!isLive(s) || s.pid === process.pid) continue;
    if ((readCmdline(s.pid) ?? []).some((arg) => arg.includes(id.profileDir))) found.set(s.pid, s);
  }
  for (const s of processesWithEnv(LOGIN_MARKER_ENV, id.marker, stats)) found.set(s.pid, s);
  return [...found.values()];
}

/** The browser's leader: a child of `parentPid` started with the attempt's profile folder. */
export function findBrowserLeader(parentPid: number, profileDir: string): number | null {
  const leader = readAllStats().find((s) => s.ppid === parentPid && isLive(s) && (readCmdline(s.pid) ?? []).some((arg) => arg.includes(profileDir)));
  return leader?.pid ?? null;
}

export interface SweepResult {
  /** Processes that were still alive after the grace and had to be killed. */
  killed: number[];
  /** Processes alive even after SIGKILL and the wait (should never happen). */
  survivors: number[];
}

/**
 * Ends whatever is left of an attempt: first a short grace for processes already on their way
 * out (the crash handler leaves by itself once the browser is gone), then SIGKILL to the
 * browser's group and to every straggler, then a bounded wait until /proc shows none alive.
 */
export async function sweepBrowser(id: BrowserIdentity, pgid: number | null, graceMs: number, waitMs: number, sleep: (ms: number) => Promise<void>): Promise<SweepResult> {
  const deadline = Date.now() + graceMs;
  let left = browserProcesses(id);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(25);
    left = browserProcesses(id);
  }
  // Only a group we can see members of: a bare pgid may have been reused since the browser left.
  if (pgid !== null && left.some((s) => s.pgid === pgid)) {
    try {
      signalGroup(pgid, 'SIGKILL');
    } catch {
      // EPERM: not ours after all; the per-process kills below still apply
    }
  }
  const killed = left.map((s) => s.pid);
  for (const pid of killed) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  const until = Date.now() + waitMs;
  let survivors = killed.filter(isAlive);
  while (survivors.length > 0 && Date.now() < until) {
    await sleep(25);
    survivors = survivors.filter(isAlive);
  }
  return { killed, survivors };
}
