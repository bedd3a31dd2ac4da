/**
 * The vault's files and the one way to change them: under the cross-process lock, read and
 * open, change the plaintext, seal it again with the key it was opened with (or, for a new
 * vault, the first key source present), write durably. Used by the daemon's VaultService and
 * by the CLI when no daemon runs; nothing is cached, so each call sees the files as they are.
 */
import { join } from 'node:path';
import { isIbgwError } from '../errors.js';
import { existsSync } from 'node:fs';
import { primaryKey, readKeyring, type KeyCandidate, type Keyring, type KeySourceOptions } from './key-sources.js';
import { emptyPayload, type VaultPayload } from './payload.js';
import { openDocument, readVaultDocument, sealPayload, writeVaultDocument } from './vault-file.js';
import { withFileLock } from './vault-lock.js';

export interface VaultPaths {
  vaultFile: string;
  keyFile: string;
  rotationFile: string;
  lockFile: string;
  /** `.env` of the working directory, re-read at every use; null to not look. */
  dotEnvPath: string | null;
}

export function vaultPaths(dataDir: string, options: { keyFile?: string | null; dotEnvPath?: string | null } = {}): VaultPaths {
  return {
    vaultFile: join(dataDir, 'vault.json'),
    keyFile: options.keyFile ?? join(dataDir, 'vault.key'),
    rotationFile: join(dataDir, 'vault.rotation.json'),
    lockFile: join(dataDir, 'vault.lock'),
    dotEnvPath: options.dotEnvPath === undefined ? join(process.cwd(), '.env') : options.dotEnvPath,
  };
}

/** What may be shown about the vault: never a password, a TOTP secret or a secret's value. */
export interface VaultStatus {
  configured: boolean;
  username: string | null;
  mode: 'paper' | 'live' | null;
  hasTotp: boolean;
  updatedAt: string | null;
  revision: string | null;
  secretCount: number;
  /** Id of the key the vault is sealed with (or would be, when there is no vault yet). */
  keyId: string | null;
  keySource: string | null;
  vaultFile: string;
  rotationPending: boolean;
  /** Why the vault cannot be opened (no key, wrong key, tampered, file mode …). */
  error: { code: string; message: string } | null;
}

export interface OpenedVault {
  payload: VaultPayload;
  /** Null only when there is no vault file and no key either (nothing to open, nothing stored). */
  key: KeyCandidate | null;
  exists: boolean;
}

export class VaultStore {
  constructor(readonly paths: VaultPaths, private readonly env: NodeJS.ProcessEnv) {}

  get keySources(): KeySourceOptions {
    return { env: this.env, dotEnvPath: this.paths.dotEnvPath, keyFile: this.paths.keyFile, rotationFile: this.paths.rotationFile };
  }

  keyring(): Keyring {
    return readKeyring(this.keySources);
  }

  /** Opening an absent vault needs no key: "nothing stored" is an answer, not an error. */
  open(): OpenedVault {
    const ring = this.keyring();
    const doc = readVaultDocument(this.paths.vaultFile);
    if (!doc) return { payload: emptyPayload(), key: ring.keys.find((k) => k.origin !== 'rotation') ?? null, exists: false };
    return { ...openDocument(doc, ring.keys, this.paths.vaultFile), exists: true };
  }

  async update(mutate: (payload: VaultPayload) => void): Promise<VaultPayload> {
    return withFileLock(this.paths.lockFile, async () => {
      const opened = this.open();
      const key = opened.key ?? primaryKey(this.keyring(), this.keySources);
      const payload = structuredClone(opened.payload);
      mutate(payload);
      await writeVaultDocument(this.paths.vaultFile, sealPayload(key, payload));
      return payload;
    });
  }

  status(): VaultStatus {
    const base: VaultStatus = {
      configured: false, username: null, mode: null, hasTotp: false, updatedAt: null, revision: null, secretCount: 0,
      keyId: null, keySource: null, vaultFile: this.paths.vaultFile, rotationPending: existsSync(this.paths.rotationFile), error: null,
    };
    try {
      const { payload, key } = this.open();
      const c = payload.credentials;
      return {
        ...base,
        configured: c !== null, username: c?.username ?? null, mode: c?.mode ?? null, hasTotp: Boolean(c?.totpSecret),
        updatedAt: c?.updatedAt ?? null, revision: c?.revision ?? null, secretCount: Object.keys(payload.secrets).length,
        keyId: key?.id ?? null, keySource: key?.label ?? null,
      };
    } catch (err) {
      if (!isIbgwError(err)) throw err;
      return { ...base, keyId: (err.details?.vaultKeyId as string | undefined) ?? (err.details?.keyId as string | undefined) ?? null, error: { code: err.code, message: err.message } };
    }
  }
}
