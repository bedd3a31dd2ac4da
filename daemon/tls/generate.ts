import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { createCertificateAuthority, loadCertificateAuthority, type CertificateAuthority } from './certificate-authority.js';
import { fingerprintSha256 } from './keys.js';
import { toPkcs12, type Pkcs12Algorithm } from './pkcs12.js';
import { createServerCertificate, subjectAltNames } from './server-certificate.js';

export interface LocalTlsOptions {
  /** Folder for ca.pem, ca-key.pem, server.pem and keystore.p12. */
  dir: string;
  hosts?: string[];
  validityDays?: number;
  /** Keystore password; a random one when omitted. */
  password?: string;
  algorithm?: Pkcs12Algorithm;
  now?: Date;
  /** Sign with the CA already in `dir` when there is one, so clients that trust it keep working after a renewal. */
  reuseCa?: boolean;
}

export interface LocalTls {
  caPath: string;
  caPem: string;
  certPem: string;
  keystorePath: string;
  password: string;
  names: string[];
  notAfter: Date;
  fingerprint: string;
}

export const TLS_FILES = { ca: 'ca.pem', caKey: 'ca-key.pem', cert: 'server.pem', keystore: 'keystore.p12' } as const;

function existingCa(dir: string, now: Date): CertificateAuthority | null {
  const certPath = join(dir, TLS_FILES.ca);
  const keyPath = join(dir, TLS_FILES.caKey);
  if (!existsSync(certPath) || !existsSync(keyPath)) return null;
  try {
    const ca = loadCertificateAuthority(readFileSync(certPath, 'utf8'), readFileSync(keyPath, 'utf8'));
    // A CA expiring before the new server certificate would cut the certificate's life short: make a new one.
    return ca.cert.validity.notAfter.getTime() > now.getTime() + 400 * 86_400_000 ? ca : null;
  } catch {
    return null; // unreadable CA: make a new one rather than fail the gateway start
  }
}

/** Local CA + server certificate + PKCS#12 keystore the gateway serves, written with safe modes. */
export async function generateLocalTls(options: LocalTlsOptions): Promise<LocalTls> {
  const now = options.now ?? new Date();
  const reused = options.reuseCa === false ? null : existingCa(options.dir, now);
  const ca = reused ?? createCertificateAuthority({ now });
  const server = createServerCertificate(ca, { hosts: options.hosts, validityDays: options.validityDays, now });
  const password = options.password ?? randomBytes(18).toString('base64url');
  const keystore = toPkcs12(server.key, [server.cert, ca.cert], password, options.algorithm);
  const paths = {
    ca: join(options.dir, TLS_FILES.ca),
    caKey: join(options.dir, TLS_FILES.caKey),
    cert: join(options.dir, TLS_FILES.cert),
    keystore: join(options.dir, TLS_FILES.keystore),
  };
  if (!reused) {
    await writeFileAtomic(paths.caKey, ca.keyPem, { mode: 0o600 });
    await writeFileAtomic(paths.ca, ca.certPem, { mode: 0o644 });
  }
  await writeFileAtomic(paths.cert, server.certPem, { mode: 0o644 });
  await writeFileAtomic(paths.keystore, keystore, { mode: 0o600 });
  return {
    caPath: paths.ca,
    caPem: ca.certPem,
    certPem: server.certPem,
    keystorePath: paths.keystore,
    password,
    names: subjectAltNames(options.hosts),
    notAfter: server.cert.validity.notAfter,
    fingerprint: fingerprintSha256(server.cert),
  };
}
