/**
 * Writes that survive a crash and a power cut, in order. Temp file in the same folder (created
 * with the final mode, so a secret is never readable by others), fsync, rename over the target,
 * then fsync the folder: without the last step the rename may still be in the page cache when
 * the next step of a key rotation is already on disk, and a power cut could keep the new key
 * file but lose the re-encrypted vault — the one order that loses the secrets.
 */
import { readdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { ERR_VAULT_IO, isIbgwError } from '../errors.js';

export { removeFileDurable } from '../atomic-write.js';

export interface DurableWriteOptions {
  mode?: number;
  /** Runs after the temp file is on disk and before the rename (the crash tests stop here). */
  beforeRename?: () => Promise<void>;
}

export async function writeFileDurable(path: string, data: string | Buffer, options: DurableWriteOptions = {}): Promise<void> {
  try {
    await writeFileAtomic(path, data, { mode: options.mode ?? 0o600, dirMode: 0o700, beforeRename: options.beforeRename, syncFolder: true });
  } catch (err) {
    if (isIbgwError(err)) throw err;
    const e = err as NodeJS.ErrnoException;
    // ENOSPC, EACCES, EROFS …: named with the file; the old file is still in place.
    throw ERR_VAULT_IO('write', path, e.code ?? e.message);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Temp files a killed writer left beside `path`. They hold ciphertext or a key (mode 0600), are
 * never read, and would pile up after repeated crashes; those of a live writer are kept.
 */
export async function removeStaleTemps(path: string): Promise<void> {
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && !pidAlive(pid)) await unlink(join(dirname(path), name)).catch(() => {});
  }
}
