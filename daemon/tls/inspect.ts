import { X509Certificate } from 'node:crypto';

/** What a certificate says about itself: safe to log, store and serve (no key material). */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** DNS names and IP addresses, e.g. ['localhost', '127.0.0.1']. */
  sans: string[];
  /** SHA-256, colon-separated upper-case hex (as openssl prints it). */
  fingerprint: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  selfSigned: boolean;
}

/** Splits a PEM bundle into its certificates, in order, with \n line ends (forge writes \r\n). */
export function splitPemCertificates(pem: string): string[] {
  return pem.replace(/\r\n/g, '\n').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((c) => c + '\n') ?? [];
}

/** `DNS:localhost, IP Address:127.0.0.1` → ['localhost', '127.0.0.1']. */
export function parseSubjectAltName(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(/,\s*/)
    .map((part) => part.replace(/^(DNS|IP Address):/, '').trim())
    .filter((name, i, all) => name !== '' && all.indexOf(name) === i);
}

const oneLine = (dn: string): string => dn.split('\n').filter(Boolean).join(', ');

export function inspectCertificate(certOrPem: X509Certificate | string): CertificateInfo {
  const cert = typeof certOrPem === 'string' ? new X509Certificate(splitPemCertificates(certOrPem)[0] ?? certOrPem) : certOrPem;
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    sans: parseSubjectAltName(cert.subjectAltName),
    fingerprint: cert.fingerprint256,
    serialNumber: cert.serialNumber,
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    selfSigned: cert.issuer === cert.subject,
  };
}
