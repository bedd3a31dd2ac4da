/**
 * Descendants that left the gateway's process group.
 *
 * kill(-pgid) reaches every member of the group, but a launcher may start something with
 * setsid (or setpgid) and that process, with everything under it, no longer belongs to the
 * group. Such escapees are found two ways, because each one alone misses cases:
 *   - by parent links from the gateway's pid, while the launcher is alive to be their parent;
 *   - by the per-run marker in their start environment, which survives reparenting to init
 *     (unless the program cleared its environment).
 * They are then killed with tree-kill, which walks their own children too.
 */
import treeKill from 'tree-kill';
import { RUN_MARKER_ENV } from './process-group.js';
import { descendants, isSameProcess, processesWithEnv, readAllStats, type ProcStat, type ProcessIdentity } from './proc-table.js';

export interface EscapeeQuery {
  /** The gateway's pid, when it is still alive to walk from. */
  leaderPid: number | null;
  pgid: number;
  marker: string | null;
  /**
   * The gateway's start time (/proc stat field 22): an escapee was born after it, so older
   * processes need not have their environment read — the costly part of the scan.
   */
  bornAfter?: number;
}

export function findEscapees(query: EscapeeQuery, stats: ProcStat[] = readAllStats()): ProcessIdentity[] {
  const found = new Map<number, ProcessIdentity>();
  const add = (s: ProcStat) => {
    if (s.pgid !== query.pgid && s.pid !== process.pid) found.set(s.pid, { pid: s.pid, startTime: s.startTime });
  };
  if (query.leaderPid !== null) descendants(query.leaderPid, stats).forEach(add);
  if (query.marker !== null) {
    const candidates = query.bornAfter === undefined ? stats : stats.filter((s) => s.startTime >= query.bornAfter!);
    processesWithEnv(RUN_MARKER_ENV, query.marker, candidates).forEach(add);
  }
  return [...found.values()];
}

function treeKillAsync(pid: number, signal: NodeJS.Signals): Promise<Error | undefined> {
  return new Promise((resolve) => treeKill(pid, signal, (err) => resolve(err ?? undefined)));
}

/**
 * Signal each escapee and its descendants. An escapee whose start time changed is a recycled
 * pid — somebody else's process now — and is skipped. Returns the pids that were signalled.
 */
export async function killEscapees(escapees: ProcessIdentity[], signal: NodeJS.Signals): Promise<number[]> {
  const signalled: number[] = [];
  await Promise.all(escapees.map(async (id) => {
    if (!isSameProcess(id)) return;
    const err = await treeKillAsync(id.pid, signal);
    // tree-kill already ignores ESRCH (gone meanwhile); anything else (EPERM) is worth a retry
    // by the caller's verification, not a throw here.
    if (!err) signalled.push(id.pid);
  }));
  return signalled;
}

export function liveEscapees(escapees: ProcessIdentity[]): ProcessIdentity[] {
  return escapees.filter(isSameProcess);
}
