import forge from 'node-forge';
import { generateRsaKey, randomSerial, signCertificate } from './keys.js';

export interface CertificateAuthority {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
  certPem: string;
  keyPem: string;
}

export interface CaOptions {
  commonName?: string;
  validityDays?: number;
  now?: Date;
}

const DAY_MS = 86_400_000;

/** A local CA that exists only to sign the gateway's server certificate; clients trust its PEM. */
export function createCertificateAuthority(options: CaOptions = {}): CertificateAuthority {
  const now = options.now ?? new Date();
  const { privateKey, publicKey, keyPem } = generateRsaKey(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerial();
  // Back-dated a few minutes so a client whose clock lags slightly still accepts it.
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60_000);
  cert.validity.notAfter = new Date(now.getTime() + (options.validityDays ?? 3650) * DAY_MS);
  const subject = [
    { name: 'commonName', value: options.commonName ?? 'ibgw-supervisor local CA' },
    { name: 'organizationName', value: 'ibgw-supervisor' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signCertificate(cert, keyPem);
  return { cert, key: privateKey, certPem: forge.pki.certificateToPem(cert), keyPem };
}

export function loadCertificateAuthority(certPem: string, keyPem: string): CertificateAuthority {
  return {
    cert: forge.pki.certificateFromPem(certPem),
    key: forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey,
    certPem,
    keyPem,
  };
}
