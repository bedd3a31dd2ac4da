/**
 * Stopping a whole process group: SIGTERM, a grace period, SIGKILL, and then proof that the
 * group is really empty — "the launcher exited" is not proof, the JVM is its child and lives on.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ERR_STOP_INCOMPLETE } from '../errors.js';
import { killEscapees, liveEscapees } from './kill-descendants.js';
import { groupMembers, isSameProcess, readAllStats, type ProcessIdentity, type ProcStat } from './proc-table.js';
import { signalGroup } from './process-group.js';

export interface TerminateOptions {
  pgid: number;
  graceMs: number;
  /** Descendants outside the group, found before signalling (see kill-descendants.ts). */
  escapees?: ProcessIdentity[];
  /** How often /proc is looked at while waiting. */
  pollMs?: number;
  /** How long SIGKILL may take to empty the group before giving up. */
  killWaitMs?: number;
  /** The process table read just before: one scan serves the caller's escapee search and this. */
  stats?: ProcStat[];
  /**
   * Members that cannot fork (the lifeline's watcher, blocked in a shell builtin until its pipe
   * closes). When they are all the group holds, their deaths empty it for sure, and the full
   * rescan of /proc that otherwise proves it — a few ms on a busy host — is not needed.
   */
  nonForking?: (member: ProcStat) => boolean;
}

export interface TerminateResult {
  /** The strongest signal that was needed; 'none' when the group was already empty. */
  signal: 'none' | 'SIGTERM' | 'SIGKILL';
  /** Members and escapees that were alive when the first signal went out. */
  pids: number[];
}

type Remaining = () => ProcessIdentity[];

const identity = (s: ProcStat): ProcessIdentity => ({ pid: s.pid, startTime: s.startTime });

function remainingOf(pgid: number, escapees: ProcessIdentity[]): Remaining {
  return () => [...groupMembers(pgid).map(identity), ...liveEscapees(escapees)];
}

/**
 * Wait until `known` and then `remaining()` are empty, or the deadline passes. Between full
 * /proc scans only the processes already known are checked; a full scan runs when they are all
 * gone, because a member may have forked a new one meanwhile.
 */
async function waitEmpty(known: ProcessIdentity[], remaining: Remaining, ms: number, pollMs: number, onNew?: () => void): Promise<ProcessIdentity[]> {
  const deadline = Date.now() + ms;
  // Most groups empty within a few ms of the signal; polling fast at first keeps a crash
  // restart quick, and backing off to pollMs keeps a slow JVM shutdown cheap.
  let wait = 1;
  for (;;) {
    known = known.filter(isSameProcess);
    if (known.length === 0) {
      known = remaining();
      if (known.length === 0) return [];
      onNew?.();
    }
    if (Date.now() >= deadline) return known;
    await sleep(Math.min(wait, Math.max(1, deadline - Date.now())));
    wait = Math.min(pollMs, wait * 2);
  }
}

export async function terminateGroup(options: TerminateOptions): Promise<TerminateResult> {
  const { pgid, graceMs } = options;
  const pollMs = options.pollMs ?? 20;
  const escapees = liveEscapees(options.escapees ?? []);
  const members = groupMembers(pgid, options.stats ?? readAllStats());
  const initial = [...members.map(identity), ...escapees];
  if (initial.length === 0) return { signal: 'none', pids: [] };
  const pids = initial.map((p) => p.pid);
  // After a crash only the watcher is left: seeing it die is the whole proof.
  const nonForking = options.nonForking;
  const settledByDeaths = escapees.length === 0 && nonForking !== undefined && members.every(nonForking);
  const rescan = settledByDeaths ? () => [] : remainingOf(pgid, escapees);

  signalGroup(pgid, 'SIGTERM');
  await killEscapees(escapees, 'SIGTERM');
  // A stopped process (SIGSTOP, a debugger, a frozen JVM looks the same) keeps a TERM pending
  // until it runs again: CONT lets it act on it now, as systemd does, instead of waiting out
  // the whole grace for the KILL.
  signalGroup(pgid, 'SIGCONT');
  await killEscapees(escapees, 'SIGCONT');
  // A process forked after the TERM went out never saw it: TERM the group again for it.
  let left = await waitEmpty(initial, rescan, graceMs, pollMs, () => signalGroup(pgid, 'SIGTERM'));
  if (left.length === 0) return { signal: 'SIGTERM', pids };

  signalGroup(pgid, 'SIGKILL');
  await killEscapees(liveEscapees(escapees), 'SIGKILL');
  left = await waitEmpty(left, rescan, options.killWaitMs ?? 2000, pollMs, () => signalGroup(pgid, 'SIGKILL'));
  if (left.length === 0) return { signal: 'SIGKILL', pids };
  // Only uninterruptible sleep (D state, a hung NFS mount) or another user's setuid process
  // survives SIGKILL; the caller must not start a second gateway beside it.
  const err = ERR_STOP_INCOMPLETE(pgid, left.map((p) => p.pid).join(', '));
  err.details = { pgid, pids: left.map((p) => p.pid) };
  throw err;
}
