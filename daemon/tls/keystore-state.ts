import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-write.js';

/**
 * <dataDir>/tls/keystore.json: which keystore the managed conf names and its password.
 * 0600 because of the password. Kept so a launch reuses a still-valid keystore instead of
 * minting a new certificate (and forcing every client to re-trust) on each start.
 */
export interface KeystoreState {
  mode: 'generate' | 'import';
  keystorePath: string;
  password: string;
  /** PEM clients verify the gateway with: the local CA (generate) or the imported chain (import). */
  caPath: string;
  fingerprint: string;
  notAfter: string;
  hosts: string[];
  /** import: hash of the source files, to re-import only when they change. */
  sourceHash?: string;
  createdAt: string;
}

export async function readKeystoreState(path: string): Promise<KeystoreState | null> {
  if (!existsSync(path)) return null;
  try {
    const state = JSON.parse(await readFile(path, 'utf8')) as KeystoreState;
    return typeof state.password === 'string' && typeof state.keystorePath === 'string' ? state : null;
  } catch {
    return null; // unreadable: a fresh keystore is made, which is always safe
  }
}

export async function writeKeystoreState(path: string, state: KeystoreState): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
}
