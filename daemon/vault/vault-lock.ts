/**
 * One writer at a time across processes: the daemon (API calls) and the CLI (key rotation,
 * or credentials while no daemon runs) both change vault.json. Without the lock, a rotation
 * reading the vault while the daemon writes new credentials would re-encrypt the old ones and
 * lose the change. The lock file holds the holder's pid; a holder killed outright (the crash
 * tests SIGKILL one) leaves it behind, and a dead pid's lock is taken over.
 */
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ERR_VAULT_BUSY, ERR_VAULT_IO } from '../errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function holder(path: string): Promise<number | null> {
  try {
    const pid = Number.parseInt(await readFile(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function tryAcquire(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx', 0o600);
    await handle.writeFile(`${process.pid}\n`);
    await handle.close();
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    throw ERR_VAULT_IO('write', path, code ?? String(err));
  }
}

export async function withFileLock<T>(path: string, fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  // The data dir of a daemon that never ran (the CLI storing credentials first).
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + timeoutMs;
  while (!(await tryAcquire(path))) {
    const last = await holder(path);
    // An empty file is a holder between create and write: wait for it. Two processes taking over
    // the same dead holder's lock at once could both win; the contenders are one daemon and one
    // CLI command, and a dead holder is rare, so that window is accepted rather than engineered away.
    if (last !== null && !alive(last)) {
      await unlink(path).catch(() => {});
      continue;
    }
    if (Date.now() > deadline) throw ERR_VAULT_BUSY(last ?? '?', path);
    await sleep(20);
  }
  try {
    return await fn();
  } finally {
    if ((await holder(path)) === process.pid) await unlink(path).catch(() => {});
  }
}
