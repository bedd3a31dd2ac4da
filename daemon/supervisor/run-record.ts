/**
 * The run record: what a later daemon needs to find (and only find) the gateway this daemon
 * started, should this daemon die without stopping it.
 *
 * A pid alone is not enough: after a crash and a reboot, or simply after enough time, the pid
 * may belong to a stranger. The record therefore pins the process by pid + start time
 * (/proc/<pid>/stat field 22) + boot id (start times restart from zero at each boot) + a
 * random marker the supervisor puts in the gateway's environment.
 */
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface RunRecord {
  version: 1;
  pid: number;
  pgid: number;
  startTime: number;
  bootId: string;
  marker: string;
  command: string[];
  startedAt: string;
  daemonPid: number;
}

export function runRecordPath(dataDir: string): string {
  return join(dataDir, 'run', 'gateway.json');
}

/** Written to a temp file, fsynced, then renamed: a reader sees the old record or the new one, never half. */
export async function writeRunRecord(dataDir: string, record: RunRecord): Promise<void> {
  const path = runRecordPath(dataDir);
  await mkdir(join(dataDir, 'run'), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(record, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

function isRunRecord(value: unknown): value is RunRecord {
  const r = value as RunRecord;
  return typeof r === 'object' && r !== null && r.version === 1 && Number.isInteger(r.pid) && r.pid > 1
    && Number.isInteger(r.pgid) && r.pgid > 1 && Number.isFinite(r.startTime)
    && typeof r.bootId === 'string' && typeof r.marker === 'string' && r.marker.length >= 16;
}

/** null when there is no record; a damaged record is reported as 'invalid' and never acted on. */
export async function readRunRecord(dataDir: string): Promise<RunRecord | 'invalid' | null> {
  let text: string;
  try {
    text = await readFile(runRecordPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return isRunRecord(parsed) ? parsed : 'invalid';
  } catch {
    return 'invalid';
  }
}

export async function removeRunRecord(dataDir: string): Promise<void> {
  try {
    await unlink(runRecordPath(dataDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
