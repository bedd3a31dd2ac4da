import type { RotationResult } from '../vault/rotate.js';
import type { VaultStatus } from '../vault/vault-store.js';

/** What the API needs from the vault: status and write-only changes. Reading a secret is not in it. */
export interface VaultPort {
  status(): Promise<VaultStatus>;
  setCredentials(input: unknown): Promise<VaultStatus>;
  clearCredentials(): Promise<VaultStatus>;
  rotateKey(): Promise<RotationResult>;
}

export type { RotationResult, VaultStatus };
