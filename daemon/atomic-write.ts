import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync } from 'node:fs';
import { open, rename, unlink, mkdir } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';

export interface AtomicWriteOptions {
  /** File mode; 0o600 for anything holding a secret. */
  mode?: number;
}

export interface DurableAtomicWriteOptions extends AtomicWriteOptions {
  /** Mode of a folder created for the file (0o700 for a vault). */
  dirMode?: number;
  /** Runs after the temp file is on disk and before the rename (crash tests stop here). */
  beforeRename?: () => Promise<void>;
  /**
   * fsync the folder after the rename, so the rename itself is on disk before the caller's next
   * step: where the order of several files' writes matters (a vault key rotation).
   */
  syncFolder?: boolean;
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Write to a temp file in the same folder, fsync, then rename over the target: a crash at any
 * point leaves either the old file or the new one, never a torn mix (rename is atomic within
 * one filesystem). The temp file is created with the final mode so a secret is never readable
 * by others, not even for a moment.
 */
export async function writeFileAtomic(path: string, data: string | Buffer, options: DurableAtomicWriteOptions = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true, ...(options.dirMode === undefined ? {} : { mode: options.dirMode }) });
  const tmp = tempPathFor(path);
  const handle = await open(tmp, 'wx', options.mode ?? 0o644);
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
  if (options.syncFolder) await syncDir(dirname(path));
}

/** Unlink and make the removal durable (the folder fsynced); a missing file is already removed. */
export async function removeFileDurable(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await syncDir(dirname(path));
}

/** Synchronous twin for the few places that must finish before the event loop turns (signal handlers, spawn records). */
export function writeFileAtomicSync(path: string, data: string | Buffer, options: AtomicWriteOptions = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'wx', options.mode ?? 0o644);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (err) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw err;
  }
}
