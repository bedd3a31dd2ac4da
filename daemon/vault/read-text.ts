import { readFileSync } from 'node:fs';
import { ERR_VAULT_IO } from '../errors.js';

/** Null when absent; any other failure (EACCES, EISDIR …) named with the file. */
export function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw ERR_VAULT_IO('read', path, code ?? String(err));
  }
}
