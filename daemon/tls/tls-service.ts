import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TlsConfig } from '../config/types.js';
import { ERR_GATEWAY_UNMANAGED } from '../errors.js';
import type { EventSink } from '../events.js';
import { silentLogger, type Logger } from '../logger.js';
import { ExpiryWatch } from './expiry-watch.js';
import { ensureGeneratedKeystore, keystoreStatePath, TLS_FILES } from './generated-keystore.js';
import { checkImport, importSourceHash, writeImportedKeystore, type ImportInput } from './import.js';
import { inspectCertificate, type CertificateInfo } from './inspect.js';
import { readKeystoreState, writeKeystoreState, type KeystoreState } from './keystore-state.js';

export interface TlsServiceOptions {
  /** <dataDir>/tls */
  dir: string;
  config: TlsConfig;
  /** Hosts the certificate must cover besides localhost/127.0.0.1 (tls.hosts + gateway.host). */
  hosts: string[];
  now?: () => Date;
  onEvent?: EventSink;
  logger?: Logger;
  /** Called after a renewal: the gateway reads its keystore only at start. */
  requestRestart?: (reason: string) => void;
  expiryCheckIntervalMs?: number;
}

/** The keystore the managed conf names: path and password go into sslCert/sslPwd. */
export interface ActiveKeystore {
  keystorePath: string;
  password: string;
  caPath: string;
}

export interface TlsSummary extends Partial<CertificateInfo> {
  mode: TlsConfig['mode'];
  caPath: string | null;
}

/**
 * TLS for the gateway: the keystore for generate or import mode, the CA clients verify with,
 * and the expiry watch. Mode gateway leaves sslCert/sslPwd to the template (nothing here).
 */
export class TlsService {
  private active: KeystoreState | null = null;
  private certInfo: CertificateInfo | null = null;
  private caPem: string | null = null;
  private readonly watch: ExpiryWatch;
  private readonly logger: Logger;
  /** Every password this process handed out: redaction must also catch a just-replaced one. */
  readonly passwords = new Set<string>();
  /**
   * The generated keystore as last verified: the files as they were (inode, size, mtime) and the
   * time span the verdict holds. While both still hold, a launch reuses the verdict instead of
   * decrypting the PKCS#12 again — tens of ms on every gateway restart.
   */
  private verified: { files: string; until: number; from: number } | null = null;

  constructor(private readonly options: TlsServiceOptions) {
    this.logger = options.logger ?? silentLogger;
    this.watch = new ExpiryWatch({
      stateFile: join(options.dir, 'expiry-state.json'),
      current: () => (this.certInfo ? { fingerprint: this.certInfo.fingerprint, notAfter: this.certInfo.notAfter, renewable: options.config.mode === 'generate' } : null),
      renewBeforeDays: options.config.mode === 'generate' ? options.config.renewBeforeDays : -Infinity,
      renew: async (reason) => {
        await this.renew(reason);
      },
      onEvent: options.onEvent,
      now: options.now,
      intervalMs: options.expiryCheckIntervalMs,
    });
  }

  get mode(): TlsConfig['mode'] {
    return this.options.config.mode;
  }

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  /** Makes sure the keystore exists and is valid; null in mode gateway. */
  async ensure(): Promise<ActiveKeystore | null> {
    const { config } = this.options;
    if (config.mode === 'gateway') return null;
    if (config.mode === 'generate') {
      const now = this.now().getTime();
      const v = this.verified;
      if (!(this.active && v && now >= v.from && now < v.until && v.files === this.generatedFiles())) {
        const ks = await ensureGeneratedKeystore({ dir: this.options.dir, hosts: this.options.hosts, validityDays: config.validityDays, renewBeforeDays: config.renewBeforeDays, now: this.now() });
        if (ks.renewed) this.logger.info({ fingerprint: ks.state.fingerprint, notAfter: ks.state.notAfter }, 'generated gateway certificate');
        this.use(ks.state, ks.certPem, ks.caPem);
        this.rememberVerified(config.renewBeforeDays);
      }
    } else {
      await this.ensureImported();
    }
    return { keystorePath: this.active!.keystorePath, password: this.active!.password, caPath: this.active!.caPath };
  }

  private async ensureImported(): Promise<void> {
    const src = this.options.config.import;
    const input: ImportInput = {
      certPem: src.cert ? await readFile(src.cert, 'utf8') : null,
      keyPem: src.key ? await readFile(src.key, 'utf8') : null,
      pfx: src.pfx ? await readFile(src.pfx) : null,
      passphrase: src.passphrase,
    };
    const dir = join(this.options.dir, 'imported');
    const statePath = keystoreStatePath(dir);
    const hash = importSourceHash(input);
    const kept = await readKeystoreState(statePath);
    // Checked again at every launch (dates move on) even when the files did not change.
    const checked = checkImport(input, { hosts: this.options.hosts, now: this.now() });
    if (kept && kept.sourceHash === hash && existsSync(kept.keystorePath)) {
      this.use(kept, checked.chainPem[0], checked.chainPem.join(''));
      return;
    }
    const written = await writeImportedKeystore(checked, dir);
    const info = inspectCertificate(checked.leaf);
    const state: KeystoreState = {
      mode: 'import', keystorePath: written.keystorePath, password: written.password, caPath: written.chainPath,
      fingerprint: info.fingerprint, notAfter: info.notAfter, hosts: [...this.options.hosts], sourceHash: hash, createdAt: this.now().toISOString(),
    };
    await writeKeystoreState(statePath, state);
    this.use(state, checked.chainPem[0], checked.chainPem.join(''));
  }

  /** Identity of the files a generated keystore's verdict rests on; '' when one is missing. */
  private generatedFiles(): string {
    const dir = this.options.dir;
    try {
      return [keystoreStatePath(dir), join(dir, TLS_FILES.keystore), join(dir, TLS_FILES.ca)]
        .map((f) => { const st = statSync(f); return `${st.ino}:${st.size}:${st.mtimeMs}`; }).join('|');
    } catch {
      return '';
    }
  }

  private rememberVerified(renewBeforeDays: number): void {
    const info = this.certInfo;
    const files = this.generatedFiles();
    this.verified = info && files && this.active?.keystorePath === join(this.options.dir, TLS_FILES.keystore)
      ? { files, from: Date.parse(info.notBefore), until: Date.parse(info.notAfter) - renewBeforeDays * 86_400_000 }
      : null;
  }

  private use(state: KeystoreState, certPem: string, caPem: string): void {
    this.active = state;
    this.passwords.add(state.password);
    this.certInfo = inspectCertificate(certPem);
    this.caPem = caPem;
  }

  /** PEM to verify the gateway with; null in mode gateway (system CAs, or the user's own choice). */
  async ca(): Promise<string | null> {
    if (this.mode === 'gateway') return null;
    if (!this.caPem) await this.ensure();
    return this.caPem;
  }

  /** The served certificate, or null before the first ensure() / in mode gateway. */
  inspect(): CertificateInfo | null {
    return this.certInfo ? { ...this.certInfo } : null;
  }

  summary(): TlsSummary {
    return { mode: this.mode, caPath: this.active?.caPath ?? null, ...(this.certInfo ?? {}) };
  }

  /** A new server certificate now (generate mode), then a gateway restart to serve it. */
  async renew(reason = 'tls renewed'): Promise<CertificateInfo> {
    const { config } = this.options;
    if (config.mode !== 'generate') throw ERR_GATEWAY_UNMANAGED('certificate renewal', `tls.mode ${config.mode}: only generated certificates are renewed`);
    const ks = await ensureGeneratedKeystore({ dir: this.options.dir, hosts: this.options.hosts, validityDays: config.validityDays, renewBeforeDays: config.renewBeforeDays, now: this.now(), force: true });
    this.use(ks.state, ks.certPem, ks.caPem);
    this.options.onEvent?.({ type: 'tls.renewed', level: 'info', message: `gateway certificate renewed, valid until ${ks.state.notAfter}`, data: { fingerprint: ks.state.fingerprint, notAfter: ks.state.notAfter } });
    this.options.requestRestart?.(reason);
    return this.inspect()!;
  }

  checkExpiry(): Promise<void> {
    return this.watch.check();
  }

  startExpiryWatch(): void {
    this.watch.start();
  }

  close(): void {
    this.watch.stop();
  }
}
