import { readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from './store/atomic-write.js';
import { createError } from './errors.js';

export const ERR_DAEMON_RUNNING = createError('IBGW_DAEMON_RUNNING', 'another daemon (pid %s) already uses data dir %s', 409);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the pid exists but belongs to another user — still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/**
 * One daemon per data dir: two would spawn two gateways fighting for one port — the
 * "already running" storms users meet with hand-made supervisors. A stale file (the
 * holder died, or its pid now belongs to something that is not a node process) is taken over.
 */
export function acquireDaemonLock(dataDir: string): () => void {
  const file = join(dataDir, 'daemon.pid');
  let holder: number | null = null;
  try {
    holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
  } catch { /* no lock file */ }
  if (holder && holder !== process.pid && alive(holder) && /node|ibgw/.test(cmdline(holder))) {
    throw ERR_DAEMON_RUNNING(holder, dataDir);
  }
  writeFileAtomicSync(file, `${process.pid}\n`);
  return () => {
    try {
      if (Number.parseInt(readFileSync(file, 'utf8'), 10) === process.pid) unlinkSync(file);
    } catch { /* already gone */ }
  };
}
