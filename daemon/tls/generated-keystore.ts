import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { readKeystoreState, writeKeystoreState, type KeystoreState } from './keystore-state.js';
import { subjectAltNames } from './subject-alt-names.js';
import { TLS_FILES } from './tls-files.js';
import { generateLocalTlsApart } from './generate-process.js';

export interface GeneratedKeystoreOptions {
  /** <dataDir>/tls */
  dir: string;
  hosts: string[];
  validityDays: number;
  renewBeforeDays: number;
  now: Date;
  /** Make a new server certificate even if the present one is still good (renewal). */
  force?: boolean;
}

export interface ManagedKeystore {
  state: KeystoreState;
  /** Leaf certificate PEM the gateway serves. */
  certPem: string;
  caPem: string;
  renewed: boolean;
}

const DAY_MS = 86_400_000;

export const keystoreStatePath = (dir: string): string => join(dir, 'keystore.json');

/** Null when the keystore on disk is missing, unreadable with the kept password, due for renewal or misses a host. */
async function reusable(dir: string, kept: KeystoreState | null, opts: GeneratedKeystoreOptions): Promise<ManagedKeystore | null> {
  // Paths are taken from the folder, not the record, so a moved data dir keeps its keystore.
  const state = kept && { ...kept, keystorePath: join(dir, TLS_FILES.keystore), caPath: join(dir, TLS_FILES.ca) };
  const certPath = join(dir, TLS_FILES.cert);
  if (!state || state.mode !== 'generate' || !existsSync(state.keystorePath) || !existsSync(state.caPath) || !existsSync(certPath)) return null;
  try {
    // OpenSSL opens the keystore as the gateway will (a wrong password or a damaged file throws);
    // the certificate it holds was written beside it as server.pem. No node-forge on this path:
    // it runs at every launch, and forge is megabytes the idle daemon does not need.
    createSecureContext({ pfx: await readFile(state.keystorePath), passphrase: state.password });
    const certPem = await readFile(certPath, 'utf8');
    const cert = new X509Certificate(certPem);
    if (new Date(cert.validTo).getTime() - opts.renewBeforeDays * DAY_MS <= opts.now.getTime()) return null;
    if (new Date(cert.validFrom).getTime() > opts.now.getTime()) return null;
    const covered = subjectAltNames(opts.hosts).every((h) => (/^[\d.]+$|:/.test(h) ? cert.checkIP(h) : cert.checkHost(h, { subject: 'never' })));
    if (!covered) return null;
    if (kept!.keystorePath !== state.keystorePath) await writeKeystoreState(keystoreStatePath(dir), state);
    return { state, certPem, caPem: await readFile(state.caPath, 'utf8'), renewed: false };
  } catch {
    return null; // wrong password or a damaged file: regenerate rather than hand the gateway a keystore it cannot open
  }
}

/**
 * The keystore for tls.mode generate: reuse the one on disk while it is valid, else sign a new
 * server certificate with the existing local CA (clients that trust ca.pem keep working) and
 * keep the same password, so a renewal does not even change the conf.
 */
export async function ensureGeneratedKeystore(opts: GeneratedKeystoreOptions): Promise<ManagedKeystore> {
  const statePath = keystoreStatePath(opts.dir);
  const state = await readKeystoreState(statePath);
  if (!opts.force) {
    const kept = await reusable(opts.dir, state, opts);
    if (kept) return kept;
  }
  const tls = await generateLocalTlsApart({
    dir: opts.dir,
    hosts: opts.hosts,
    validityDays: opts.validityDays,
    password: state?.mode === 'generate' ? state.password : undefined,
    now: opts.now,
    reuseCa: true,
  });
  const next: KeystoreState = {
    mode: 'generate',
    keystorePath: tls.keystorePath,
    password: tls.password,
    caPath: tls.caPath,
    fingerprint: tls.fingerprint,
    notAfter: tls.notAfter.toISOString(),
    hosts: [...opts.hosts],
    createdAt: opts.now.toISOString(),
  };
  await writeKeystoreState(statePath, next);
  return { state: next, certPem: tls.certPem, caPem: tls.caPem, renewed: true };
}

