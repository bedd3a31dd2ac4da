import { readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from './atomic-write.js';
import { ERR_DAEMON_RUNNING } from './errors.js';
import { isAlive, readCmdline } from './supervisor/proc-table.js';

/**
 * One daemon per data dir: two would spawn two gateways fighting for one port — the
 * "already running" storms users meet with hand-made supervisors. A stale file (the
 * holder died, or its pid now belongs to something that is not a node process) is taken over.
 */
export function acquireDaemonLock(dataDir: string): () => void {
  const file = join(dataDir, 'daemon.pid');
  const holder = daemonLockHolder(dataDir);
  if (holder !== null && holder !== process.pid) throw ERR_DAEMON_RUNNING(holder, dataDir);
  writeFileAtomicSync(file, `${process.pid}\n`);
  return () => {
    try {
      if (Number.parseInt(readFileSync(file, 'utf8'), 10) === process.pid) unlinkSync(file);
    } catch { /* already gone */ }
  };
}

/** The pid of the live daemon holding `dataDir`, or null (no lock file, or a stale one). */
export function daemonLockHolder(dataDir: string): number | null {
  let holder: number | null = null;
  try {
    holder = Number.parseInt(readFileSync(join(dataDir, 'daemon.pid'), 'utf8'), 10);
  } catch { /* no lock file */ }
  if (holder && isAlive(holder) && /node|ibgw/.test((readCmdline(holder) ?? []).join(' '))) return holder;
  return null;
}
