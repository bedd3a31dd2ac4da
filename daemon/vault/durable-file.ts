/**
 * Writes that survive a crash and a power cut, in order. Temp file in the same folder (created
 * with the final mode, so a secret is never readable by others), fsync, rename over the target,
 * then fsync the folder: without the last step the rename may still be in the page cache when
 * the next step of a key rotation is already on disk, and a power cut could keep the new key
 * file but lose the re-encrypted vault — the one order that loses the secrets.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ERR_VAULT_IO, isIbgwError } from '../errors.js';

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface DurableWriteOptions {
  mode?: number;
  /** Runs after the temp file is on disk and before the rename (the crash tests stop here). */
  beforeRename?: () => Promise<void>;
}

export async function writeFileDurable(path: string, data: string | Buffer, options: DurableWriteOptions = {}): Promise<void> {
  try {
    await writeDurable(path, data, options);
  } catch (err) {
    if (isIbgwError(err)) throw err;
    const e = err as NodeJS.ErrnoException;
    // ENOSPC, EACCES, EROFS …: named with the file; the old file is still in place.
    throw ERR_VAULT_IO('write', path, e.code ?? e.message);
  }
}

async function writeDurable(path: string, data: string | Buffer, options: DurableWriteOptions): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', options.mode ?? 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await options.beforeRename?.();
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await syncDir(dir);
}

/** Unlink and make the removal durable; a missing file is already removed. */
export async function removeFileDurable(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await syncDir(dirname(path));
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
