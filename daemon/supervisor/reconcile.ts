/**
 * Killing what a previous daemon run left behind — and nothing else.
 *
 * One leftover JVM holding the port turns every later start into "address in use" (and
 * IBC's gatewaystart.sh refuses to start at all while an old JVM runs). But the record may be
 * old: its pid may now belong to a stranger. A process is treated as ours only when it carries
 * the record's marker in its start environment — a random UUID nobody else has — and the
 * recorded leader also has to match its start time; a record from another boot is void.
 */
import type { ServiceEvent } from '../events.js';
import { findEscapees } from './kill-descendants.js';
import { RUN_MARKER_ENV } from './process-group.js';
import { bootId, processesWithEnv, readAllStats, readEnviron, readStat, isLive, type ProcessIdentity } from './proc-table.js';
import { readRunRecord, removeRunRecord, type RunRecord } from './run-record.js';
import { terminateGroup } from './terminate.js';

export interface ReconcileReport {
  /** 'none': no record; 'invalid': unreadable record (removed, nothing killed); 'stale': other boot. */
  record: 'none' | 'invalid' | 'stale' | 'found';
  /** Process groups that were terminated. */
  killedGroups: number[];
  /** Every pid that was alive in those groups (or escaped from them) and was signalled. */
  killedPids: number[];
  /** Pids named by the record but left alone, with why. */
  spared: Array<{ pid: number; why: string }>;
}

/** Is the recorded leader pid still the process the record describes? Returns why not, or null. */
function leaderMismatch(record: RunRecord): string | null {
  const stat = readStat(record.pid);
  if (!isLive(stat)) return 'not running';
  if (stat.startTime !== record.startTime) return 'start time differs (pid reused)';
  const env = readEnviron(record.pid);
  if (env === null) return 'environment unreadable (cannot verify the marker)';
  if (env.get(RUN_MARKER_ENV) !== record.marker) return 'run marker differs';
  return null;
}

/** Reports through its return value: the caller records reconcileEvent(report), the one account of it. */
export async function reconcileRun(options: { dataDir: string; graceMs: number }): Promise<ReconcileReport> {
  const report: ReconcileReport = { record: 'none', killedGroups: [], killedPids: [], spared: [] };
  const record = await readRunRecord(options.dataDir);
  if (record === null) return report;
  if (record === 'invalid') {
    report.record = 'invalid';
    await removeRunRecord(options.dataDir);
    return report;
  }
  if (record.bootId !== bootId()) {
    // Start times restart at every boot: after a reboot the same pid + start time can be anyone.
    report.record = 'stale';
    report.spared.push({ pid: record.pid, why: 'record is from another boot' });
    await removeRunRecord(options.dataDir);
    return report;
  }
  report.record = 'found';

  const stats = readAllStats();
  const carriers = processesWithEnv(RUN_MARKER_ENV, record.marker, stats);
  const groups = new Set(carriers.map((s) => s.pgid));
  const why = leaderMismatch(record);
  if (why === null) groups.add(record.pgid);
  else if (why !== 'not running') report.spared.push({ pid: record.pid, why });
  // A group is only killed because a marker carrier is in it (or is its verified leader). Other
  // members of such a group are ours too: a process can only join a group of its own session,
  // and the session was created for the gateway.
  const ownPgid = readStat(process.pid)?.pgid;
  for (const pgid of groups) {
    if (pgid <= 1 || pgid === ownPgid) continue; // never the daemon's own group, never init's
    const leader = stats.find((s) => s.pid === pgid) ?? null;
    const escapees: ProcessIdentity[] = findEscapees({ leaderPid: leader ? pgid : null, pgid, marker: record.marker }, stats)
      .filter((e) => !groups.has(readStat(e.pid)?.pgid ?? -1));
    const result = await terminateGroup({ pgid, graceMs: options.graceMs, escapees });
    if (result.signal !== 'none') {
      report.killedGroups.push(pgid);
      report.killedPids.push(...result.pids);
    }
  }
  await removeRunRecord(options.dataDir);
  return report;
}

/** The event worth recording about a reconcile, or null when there was nothing to do. */
export function reconcileEvent(report: ReconcileReport): ServiceEvent | null {
  if (report.killedPids.length === 0 && report.spared.length === 0) return null;
  return {
    type: 'gateway.reconcile',
    level: report.killedPids.length > 0 ? 'warn' : 'info',
    message: `previous run: killed ${report.killedPids.length} leftover process(es), spared ${report.spared.length}`,
    data: { ...report },
  };
}
