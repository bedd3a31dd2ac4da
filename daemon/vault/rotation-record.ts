/**
 * The record of a key rotation under way (<dataDir>/vault.rotation.json, mode 0600): the new
 * key and the files it is to be installed in. It exists from before the vault is re-encrypted
 * until after the new key is in place, so at every instant the key the vault needs is on disk
 * in at least one place that readKeyring looks.
 */
import { ERR_VAULT_CORRUPT } from '../errors.js';
import { writeFileDurable } from './durable-file.js';
import { assertPrivateFile } from './file-mode.js';
import { formatKey, keyId, parseKey } from './key-material.js';
import { readText } from './read-text.js';

export interface KeyDestination {
  origin: 'dotenv' | 'key-file';
  path: string;
}

export interface RotationRecord {
  keyId: string;
  key: Buffer;
  /** The key id the vault had before; a vault still under it means the rotation never got past step 1. */
  fromKeyId: string | null;
  destinations: KeyDestination[];
  startedAt: string;
}

export function readRotationRecord(path: string): RotationRecord | null {
  if (!assertPrivateFile(path)) return null;
  const text = readText(path);
  if (text === null) return null;
  let raw: { key?: unknown; fromKeyId?: unknown; destinations?: unknown; startedAt?: unknown };
  try {
    raw = JSON.parse(text);
  } catch {
    throw ERR_VAULT_CORRUPT(path, 'not a key rotation record');
  }
  if (typeof raw?.key !== 'string' || !Array.isArray(raw.destinations)) {
    throw ERR_VAULT_CORRUPT(path, 'not a key rotation record');
  }
  const key = parseKey(raw.key, path);
  return {
    keyId: keyId(key),
    key,
    fromKeyId: typeof raw.fromKeyId === 'string' ? raw.fromKeyId : null,
    destinations: raw.destinations as KeyDestination[],
    startedAt: String(raw.startedAt ?? ''),
  };
}

export async function writeRotationRecord(path: string, record: RotationRecord): Promise<void> {
  const json = { ...record, key: formatKey(record.key) };
  await writeFileDurable(path, JSON.stringify(json, null, 2) + '\n', { mode: 0o600 });
}
