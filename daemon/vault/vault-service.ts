/**
 * The daemon's credential vault: IBKR credentials (username, password, paper/live, optional
 * TOTP secret) and named secrets of other services (an SMTP password, a webhook secret),
 * sealed with AES-256-GCM in <dataDir>/vault.json.
 *
 * Nothing decrypted is kept between calls: each read opens the file with the keys as they are
 * on disk now, so a key rotation or a change made by the CLI while no daemon ran is seen at the
 * next call, and a change of the credentials' revision is reported as `vault.credentials-changed`
 * whoever made it.
 */
import { EventEmitter } from 'node:events';
import type { EventSink } from '../events.js';
import { silentLogger, type Logger } from '../logger.js';
import { findIv, IV_IGNORED_MESSAGE } from './key-sources.js';
import { rotateKey, type RotationResult } from './rotate.js';
import { stamp, validateCredentials, validateSecretName, validateSecretValue, type Credentials, type TradingMode } from './payload.js';
import { VaultStore, vaultPaths, type VaultStatus } from './vault-store.js';

export interface VaultServiceOptions {
  dataDir: string;
  /** Default <dataDir>/vault.key. */
  keyFile?: string | null;
  /** The working directory's `.env`, re-read at every use; null to not look. Default <cwd>/.env. */
  dotEnvPath?: string | null;
  /** Where ENCRYPTION_KEY / ENCRYPTION_IV are read; default process.env. */
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  logger?: Logger;
  onEvent?: EventSink;
}

/** Passed to 'credentials-changed' listeners and in the event's data: never a secret. */
export interface CredentialsChange {
  action: 'set' | 'cleared' | 'external';
  username: string | null;
  mode: TradingMode | null;
  hasTotp: boolean;
  revision: string | null;
}

export class VaultService extends EventEmitter<{ 'credentials-changed': [CredentialsChange] }> {
  #options: VaultServiceOptions;
  #store: VaultStore;
  #logger: Logger;
  /** Revision last seen; undefined until the first read (nothing to compare with yet). */
  #revision: string | null | undefined = undefined;
  #writes: Promise<unknown> = Promise.resolve();
  #ivReported = false;

  constructor(options: VaultServiceOptions) {
    super();
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#store = this.#makeStore(options);
  }

  #makeStore(options: VaultServiceOptions): VaultStore {
    return new VaultStore(vaultPaths(options.dataDir, { keyFile: options.keyFile, dotEnvPath: options.dotEnvPath }), options.env ?? process.env);
  }

  get paths() {
    return this.#store.paths;
  }

  async start(): Promise<void> {
    const s = await this.status();
    this.#reportIv();
    if (s.error) {
      // The daemon runs on without the vault (supervision does not need it); logins will not happen.
      this.#options.onEvent?.({ type: 'vault.unavailable', level: 'warn', message: s.error.message, data: { code: s.error.code, keyId: s.keyId } });
    } else {
      this.#logger.info({ configured: s.configured, keyId: s.keyId, mode: s.mode, hasTotp: s.hasTotp, secrets: s.secretCount }, 'vault opened');
    }
  }

  /** Waits for writes under way (bounded: a write is one small fsynced file). */
  async stop(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#writes.catch(() => {}), new Promise((r) => { timer = setTimeout(r, 5000); })]);
    clearTimeout(timer);
  }

  reconfigure(next: { keyFile?: string | null }): void {
    this.#options = { ...this.#options, keyFile: next.keyFile };
    this.#store = this.#makeStore(this.#options);
  }

  /** Where an ENCRYPTION_IV was found; it is ignored (key-sources.ts says why). */
  ivFoundIn(): string[] {
    try {
      return findIv(this.#store.keySources);
    } catch {
      return []; // an unreadable .env is reported by status() and every other call
    }
  }

  #reportIv(): void {
    if (this.#ivReported) return;
    const where = this.ivFoundIn();
    if (where.length === 0) return;
    this.#ivReported = true;
    this.#logger.warn({ foundIn: where }, IV_IGNORED_MESSAGE);
    this.#options.onEvent?.({ type: 'vault.iv-ignored', level: 'warn', message: IV_IGNORED_MESSAGE, data: { foundIn: where } });
  }

  /** Never throws for a vault that cannot be opened: the reason is in `error`. */
  async status(): Promise<VaultStatus> {
    const s = this.#store.status();
    if (!s.error) this.#observe(s.revision, () => ({ action: 'external', username: s.username, mode: s.mode, hasTotp: s.hasTotp, revision: s.revision }));
    return s;
  }

  /** Null when none are stored. Throws the vault's error (no key, wrong key, tampered …). */
  async getCredentials(): Promise<Credentials | null> {
    const c = this.#store.open().payload.credentials;
    this.#observe(c?.revision ?? null, () => ({ action: 'external', username: c?.username ?? null, mode: c?.mode ?? null, hasTotp: Boolean(c?.totpSecret), revision: c?.revision ?? null }));
    return c ? { username: c.username, password: c.password, mode: c.mode, totpSecret: c.totpSecret } : null;
  }

  async setCredentials(input: unknown): Promise<VaultStatus> {
    const credentials = validateCredentials(input);
    const stored = stamp(credentials, this.#now());
    await this.#write((p) => { p.credentials = stored; });
    this.#changed({ action: 'set', username: stored.username, mode: stored.mode, hasTotp: stored.totpSecret !== null, revision: stored.revision });
    return this.#store.status();
  }

  async clearCredentials(): Promise<VaultStatus> {
    let had = false;
    // Clearing what is not there needs no key (nothing to write); a vault that cannot be opened
    // is an error, not "cleared".
    if (this.#store.open().payload.credentials) {
      await this.#write((p) => { had = p.credentials !== null; p.credentials = null; });
    }
    if (had) this.#changed({ action: 'cleared', username: null, mode: null, hasTotp: false, revision: null });
    return this.#store.status();
  }

  async getSecret(name: string): Promise<string | null> {
    validateSecretName(name);
    return this.#store.open().payload.secrets[name] ?? null;
  }

  async setSecret(name: string, value: string): Promise<void> {
    validateSecretName(name);
    validateSecretValue(name, value);
    await this.#write((p) => { p.secrets[name] = value; });
    this.#options.onEvent?.({ type: 'vault.secret-changed', level: 'info', message: `secret ${name} stored`, data: { name, action: 'set' } });
  }

  async deleteSecret(name: string): Promise<boolean> {
    validateSecretName(name);
    let had = false;
    if (!(name in this.#store.open().payload.secrets)) return false;
    await this.#write((p) => { had = name in p.secrets; delete p.secrets[name]; });
    if (had) this.#options.onEvent?.({ type: 'vault.secret-changed', level: 'info', message: `secret ${name} deleted`, data: { name, action: 'deleted' } });
    return had;
  }

  /** A new key for the vault, installed where the current one is kept (see rotate.ts). */
  async rotateKey(): Promise<RotationResult> {
    const run = this.#writes.catch(() => {}).then(() => rotateKey(this.#store, { now: this.#options.now }));
    this.#writes = run;
    const result = await run;
    const where = result.destinations.map((d) => d.path);
    this.#logger.info({ fromKeyId: result.fromKeyId, toKeyId: result.toKeyId, destinations: where, resumed: result.resumed }, 'vault key rotated');
    this.#options.onEvent?.({
      type: 'vault.key-rotated', level: 'info',
      message: `vault key ${result.resumed ? 'rotation finished' : 'rotated'}: ${result.fromKeyId ?? '-'} → ${result.toKeyId} (in ${where.join(', ')})`,
      data: { fromKeyId: result.fromKeyId, toKeyId: result.toKeyId, destinations: where, resumed: result.resumed, vaultReencrypted: result.vaultReencrypted },
    });
    return result;
  }

  async listSecretNames(): Promise<string[]> {
    return Object.keys(this.#store.open().payload.secrets).sort();
  }

  #now(): Date {
    return (this.#options.now ?? (() => new Date()))();
  }

  /** One write at a time in this process; the file lock orders them against the CLI. */
  #write(mutate: Parameters<VaultStore['update']>[0]): Promise<void> {
    const run = this.#writes.catch(() => {}).then(() => this.#store.update(mutate));
    this.#writes = run;
    return run.then(() => undefined);
  }

  #observe(revision: string | null, change: () => CredentialsChange): void {
    const before = this.#revision;
    this.#revision = revision;
    if (before !== undefined && before !== revision) this.#emitChange(change());
  }

  #changed(change: CredentialsChange): void {
    this.#revision = change.revision;
    this.#emitChange(change);
  }

  #emitChange(change: CredentialsChange): void {
    const what = change.action === 'cleared' ? 'credentials cleared'
      : change.action === 'set' ? `credentials for ${change.username} (${change.mode}) stored`
        : change.username ? `credentials changed outside the daemon: now ${change.username} (${change.mode})` : 'credentials removed outside the daemon';
    this.#options.onEvent?.({ type: 'vault.credentials-changed', level: 'info', message: what, data: { ...change } });
    this.emit('credentials-changed', change);
  }
}
