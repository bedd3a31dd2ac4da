import { isIP } from 'node:net';
import forge from 'node-forge';
import type { CertificateAuthority } from './certificate-authority.js';
import { subjectAltNames } from './subject-alt-names.js';
import { generateRsaKey, randomSerial, signCertificate } from './keys.js';

export interface ServerCertificate {
  cert: forge.pki.Certificate;
  certPem: string;
  keyPem: string;
  key: forge.pki.rsa.PrivateKey;
}

export interface ServerCertOptions {
  /** DNS names and IP addresses; localhost and 127.0.0.1 are always included. */
  hosts?: string[];
  /** Browsers refuse leaf certificates valid for more than 398 days. */
  validityDays?: number;
  now?: Date;
}

const DAY_MS = 86_400_000;


export { subjectAltNames };

export function createServerCertificate(ca: CertificateAuthority, options: ServerCertOptions = {}): ServerCertificate {
  const now = options.now ?? new Date();
  const names = subjectAltNames(options.hosts);
  const { privateKey, publicKey, keyPem } = generateRsaKey(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60_000);
  cert.validity.notAfter = new Date(now.getTime() + (options.validityDays ?? 397) * DAY_MS);
  cert.setSubject([{ name: 'commonName', value: names[0] }, { name: 'organizationName', value: 'ibgw-supervisor' }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    // type 2 = dNSName, type 7 = iPAddress (RFC 5280); clients match IPs only against iPAddress entries.
    { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  signCertificate(cert, ca.keyPem);
  return { cert, certPem: forge.pki.certificateToPem(cert), keyPem, key: privateKey };
}
