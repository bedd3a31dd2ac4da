/**
 * `ibgw keys rotate`: the vault re-encrypted under a new key, with no instant at which the key
 * it needs is missing from disk. Every step is one atomic rename (made durable by fsyncing the
 * folder), and the key id in vault.json says which key opens it:
 *
 *   1. record the new key and where it goes      vault: old key   old key: in place
 *   2. re-encrypt the vault under the new key    vault: new key   new key: in the record
 *   3. install the new key in each destination   vault: new key   new key: record + destination
 *   4. remove the record                         vault: new key   new key: destination
 *
 * Killed anywhere, the vault opens with the old key (before 2) or the new one (after 2), and
 * the next `keys rotate` finishes an interrupted rotation (or drops one that never reached 2).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { ERR_VAULT_ROTATE_SOURCE } from '../errors.js';
import { removeFileDurable, removeStaleTemps, writeFileDurable } from './durable-file.js';
import { replaceEnvKey } from './dotenv-key.js';
import { formatKey, generateKey, keyId } from './key-material.js';
import { primaryKey } from './key-sources.js';
import { readRotationRecord, writeRotationRecord, type KeyDestination, type RotationRecord } from './rotation-record.js';
import { readVaultDocument, sealPayload, writeVaultDocument } from './vault-file.js';
import { withFileLock } from './vault-lock.js';
import type { VaultStore } from './vault-store.js';

export type RotationStep = 'record-written' | 'vault-temp-written' | 'vault-written' | 'key-installed' | 'record-removed';

export interface RotateOptions {
  /** Called after each step is durable; the crash tests SIGKILL the process here. */
  onStep?: (step: RotationStep, detail?: string) => Promise<void>;
  now?: () => Date;
}

export interface RotationResult {
  fromKeyId: string | null;
  toKeyId: string;
  destinations: KeyDestination[];
  vaultReencrypted: boolean;
  /** True when this call finished a rotation an earlier, interrupted call had begun. */
  resumed: boolean;
  /** Things the person must do by hand (a stale ENCRYPTION_KEY in the environment …). */
  warnings: string[];
}

async function install(dest: KeyDestination, key: Buffer): Promise<void> {
  // Through a symlinked .env to the file it names: a rename over the link would replace the link.
  const path = realpathOrSelf(dest.path);
  const text = dest.origin === 'dotenv' ? replaceEnvKey(readFileSync(path, 'utf8'), formatKey(key)) : `${formatKey(key)}\n`;
  await writeFileDurable(path, text, { mode: 0o600 });
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

async function finish(store: VaultStore, record: RotationRecord, step: NonNullable<RotateOptions['onStep']>): Promise<void> {
  for (const dest of record.destinations) {
    await install(dest, record.key);
    await step('key-installed', dest.path);
  }
  await removeFileDurable(store.paths.rotationFile);
  await step('record-removed');
}

function staleSources(store: VaultStore, oldId: string): string[] {
  return store.keyring().keys
    .filter((k) => k.id === oldId && k.origin === 'environment')
    .map((k) => `${k.label} still holds the old key ${oldId}, which no longer opens the vault: update it to the new key or remove it`);
}

export async function rotateKey(store: VaultStore, options: RotateOptions = {}): Promise<RotationResult> {
  const step = options.onStep ?? (async () => {});
  const { paths } = store;
  return withFileLock(paths.lockFile, async () => {
    for (const p of [paths.vaultFile, paths.rotationFile, paths.keyFile, paths.dotEnvPath]) if (p) await removeStaleTemps(p);
    const pending = readRotationRecord(paths.rotationFile);
    const before = readVaultDocument(paths.vaultFile);
    if (pending) {
      // Past step 2 (or nothing to re-encrypt): go forward. Before it: the record is all that
      // happened, the old key still rules, so drop the record and start over.
      if (!before || before.keyId === pending.keyId) {
        await finish(store, pending, step);
        return { fromKeyId: pending.fromKeyId, toKeyId: pending.keyId, destinations: pending.destinations, vaultReencrypted: Boolean(before), resumed: true, warnings: pending.fromKeyId ? staleSources(store, pending.fromKeyId) : [] };
      }
      await removeFileDurable(paths.rotationFile);
    }
    const opened = store.open();
    const current = opened.key ?? primaryKey(store.keyring(), store.keySources);
    const destinations: KeyDestination[] = store.keyring().keys
      .filter((k) => k.id === current.id && (k.origin === 'dotenv' || k.origin === 'key-file'))
      .map((k) => ({ origin: k.origin as KeyDestination['origin'], path: k.path! }));
    if (destinations.length === 0) {
      throw ERR_VAULT_ROTATE_SOURCE(`the key ${current.id} comes from ${current.label}, which ibgw cannot change; put it in ${paths.keyFile} (mode 0600) or in ${paths.dotEnvPath ?? 'a .env file'} instead, then rotate`);
    }
    const key = generateKey();
    const record: RotationRecord = { keyId: keyId(key), key, fromKeyId: current.id, destinations, startedAt: (options.now?.() ?? new Date()).toISOString() };
    await writeRotationRecord(paths.rotationFile, record);
    await step('record-written');
    if (opened.exists) {
      const candidate = { key, id: record.keyId, origin: 'rotation' as const, path: paths.rotationFile, label: 'the new key' };
      await writeVaultDocument(paths.vaultFile, sealPayload(candidate, opened.payload), () => step('vault-temp-written'));
      await step('vault-written');
    }
    await finish(store, record, step);
    return { fromKeyId: current.id, toKeyId: record.keyId, destinations, vaultReencrypted: opened.exists, resumed: false, warnings: staleSources(store, current.id) };
  });
}
