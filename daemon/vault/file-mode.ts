import { statSync } from 'node:fs';
import { ERR_VAULT_FILE_MODE, ERR_VAULT_IO } from '../errors.js';

/** Quotes a path for the shell only when it needs it, so the printed command can be pasted. */
export function shellPath(path: string): string {
  return /^[A-Za-z0-9_./@%+=:,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/**
 * Refuses a file holding a secret that group or others may open. Refused rather than quietly
 * tightened: the loose mode means the secret may already have been read, and the person who
 * owns it should know (the admin token, a secret the daemon itself made, is tightened instead).
 * Returns false when the file does not exist.
 */
export function assertPrivateFile(path: string): boolean {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    throw ERR_VAULT_IO('read', path, code ?? String(err));
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    const err = ERR_VAULT_FILE_MODE(path, octal, shellPath(path));
    err.details = { path, mode: octal, fix: `chmod 600 ${shellPath(path)}` };
    throw err;
  }
  return true;
}
