/**
 * Where `ibgw credentials` and `ibgw keys rotate` act. A running daemon owns the vault: the CLI
 * goes through its API, so the daemon records the change and tells the session keeper at once
 * (`vault.credentials-changed`, which lifts a rejected-password block). With no daemon, the CLI
 * opens the files itself through the same VaultService; the daemon reads them when it starts,
 * and reports a changed revision as `vault.credentials-changed` then.
 */
import { join } from 'node:path';
import type { RotationResult } from '../vault/rotate.js';
import type { VaultStatus } from '../vault/vault-store.js';
import { loadConfig } from '../config/load.js';
import { daemonLockHolder } from '../daemon-lock.js';
import { VaultService } from '../vault/vault-service.js';
import { IV_IGNORED_MESSAGE } from '../vault/key-sources.js';
import { createApiClient } from './client.js';

export interface VaultTarget {
  /** `daemon pid N` or `files in <dataDir>`. */
  via: string;
  status(): Promise<VaultStatus>;
  setCredentials(input: Record<string, unknown>): Promise<VaultStatus>;
  clearCredentials(): Promise<VaultStatus>;
  rotateKey(): Promise<RotationResult>;
}

export function vaultTarget(configFile: string | null, env: NodeJS.ProcessEnv = process.env): VaultTarget {
  const { config } = loadConfig({ file: configFile, env });
  const daemon = daemonLockHolder(config.dataDir);
  if (daemon !== null) {
    const api = createApiClient(configFile, env);
    return {
      via: `daemon pid ${daemon}`,
      status: () => api.request<VaultStatus>('GET', '/api/v1/credentials'),
      setCredentials: (input) => api.request<VaultStatus>('PUT', '/api/v1/credentials', input),
      clearCredentials: () => api.request<VaultStatus>('DELETE', '/api/v1/credentials'),
      rotateKey: () => api.request<RotationResult>('POST', '/api/v1/vault/rotate-key', {}),
    };
  }
  const vault = new VaultService({ dataDir: config.dataDir, keyFile: config.vault.keyFile, dotEnvPath: join(process.cwd(), '.env'), env });
  if (vault.ivFoundIn().length > 0) process.stderr.write(`ibgw: ${IV_IGNORED_MESSAGE}\n`);
  return {
    via: `files in ${config.dataDir} (no daemon running)`,
    status: () => vault.status(),
    setCredentials: (input) => vault.setCredentials(input),
    clearCredentials: () => vault.clearCredentials(),
    rotateKey: () => vault.rotateKey(),
  };
}
