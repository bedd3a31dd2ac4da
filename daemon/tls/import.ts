import { createHash, createPrivateKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { join } from 'node:path';
import forge from 'node-forge';
import { ERR_TLS_IMPORT } from '../errors.js';
import { writeFileAtomic } from '../atomic-write.js';
import { inspectCertificate, splitPemCertificates } from './inspect.js';
import { fromPkcs12, toPkcs12 } from './pkcs12.js';
import { subjectAltNames } from './server-certificate.js';

/** A user's certificate: PEM cert (+ chain) and key, or a PKCS#12 file and its passphrase. */
export interface ImportInput {
  certPem?: string | null;
  keyPem?: string | null;
  pfx?: Buffer | null;
  /** PKCS#12 passphrase, or the passphrase of an encrypted PEM key. */
  passphrase?: string | null;
}

export interface CheckedImport {
  /** Leaf first, then the rest of the chain as given. */
  chainPem: string[];
  /** Unencrypted PKCS#1 PEM: kept in memory only, written solely inside the keystore. */
  keyPem: string;
  leaf: X509Certificate;
}

function fromPfx(input: ImportInput): { certs: string[]; key: KeyObject } {
  let contents;
  try {
    contents = fromPkcs12(input.pfx!, input.passphrase ?? '');
  } catch (err) {
    // forge only decodes RSA material; an EC file fails the same way as a wrong passphrase.
    throw ERR_TLS_IMPORT(`cannot open the PKCS#12 file (wrong passphrase, not PKCS#12, or a non-RSA key): ${(err as Error).message}`);
  }
  if (!contents.key) throw ERR_TLS_IMPORT('the PKCS#12 file holds no private key');
  if (contents.certs.length === 0) throw ERR_TLS_IMPORT('the PKCS#12 file holds no certificate');
  return {
    certs: contents.certs.map((c) => forge.pki.certificateToPem(c)),
    key: createPrivateKey(forge.pki.privateKeyToPem(contents.key as forge.pki.rsa.PrivateKey)),
  };
}

function fromPem(input: ImportInput): { certs: string[]; key: KeyObject } {
  if (!input.certPem || !input.keyPem) throw ERR_TLS_IMPORT('give both a certificate and a key (PEM), or a PKCS#12 file');
  const certs = splitPemCertificates(input.certPem);
  if (certs.length === 0) throw ERR_TLS_IMPORT('the certificate file holds no PEM certificate');
  try {
    return { certs, key: createPrivateKey({ key: input.keyPem, passphrase: input.passphrase ?? undefined }) };
  } catch (err) {
    throw ERR_TLS_IMPORT(`cannot read the private key (encrypted without the right passphrase, or not PEM): ${(err as Error).message}`);
  }
}

/**
 * Checks a certificate before the gateway is handed it, because the gateway itself reports
 * nothing: with a bad keystore it stays alive and never listens (observed).
 */
export function checkImport(input: ImportInput, options: { hosts?: string[]; now?: Date } = {}): CheckedImport {
  const { certs, key } = input.pfx ? fromPfx(input) : fromPem(input);
  const parsed = certs.map((pem) => {
    try {
      return new X509Certificate(pem);
    } catch (err) {
      throw ERR_TLS_IMPORT(`not a valid certificate: ${(err as Error).message}`);
    }
  });
  const leafIndex = parsed.findIndex((c) => c.checkPrivateKey(key));
  if (leafIndex < 0) throw ERR_TLS_IMPORT('the private key does not belong to the certificate');
  if (key.asymmetricKeyType !== 'rsa') throw ERR_TLS_IMPORT(`only RSA keys can be imported (this key is ${key.asymmetricKeyType})`);
  const leaf = parsed[leafIndex];
  const info = inspectCertificate(leaf);
  const now = options.now ?? new Date();
  if (new Date(info.notAfter).getTime() <= now.getTime()) throw ERR_TLS_IMPORT(`the certificate expired on ${info.notAfter}`);
  if (new Date(info.notBefore).getTime() > now.getTime()) throw ERR_TLS_IMPORT(`the certificate is not valid before ${info.notBefore}`);
  const missing = subjectAltNames(options.hosts).filter((h) => !(isIP(h) ? leaf.checkIP(h) : leaf.checkHost(h, { subject: 'never' })));
  if (missing.length > 0) {
    throw ERR_TLS_IMPORT(`the certificate's subject alternative names (${info.sans.join(', ') || 'none'}) do not cover ${missing.join(', ')}`);
  }
  const chainPem = [certs[leafIndex], ...certs.filter((_, i) => i !== leafIndex)];
  return { chainPem, keyPem: key.export({ type: 'pkcs1', format: 'pem' }) as string, leaf };
}

/** Hash of the import sources, to re-import only when the user's files change. */
export function importSourceHash(input: ImportInput): string {
  const h = createHash('sha256');
  for (const part of [input.certPem, input.keyPem, input.pfx?.toString('base64'), input.passphrase]) h.update(`${part ?? ''}\0`);
  return h.digest('hex');
}

/** Writes <dir>/keystore.p12 (0600, a fresh password) and <dir>/chain.pem for clients. */
export async function writeImportedKeystore(checked: CheckedImport, dir: string): Promise<{ keystorePath: string; chainPath: string; password: string }> {
  const password = randomBytes(18).toString('base64url');
  const key = forge.pki.privateKeyFromPem(checked.keyPem) as forge.pki.rsa.PrivateKey;
  const keystore = toPkcs12(key, checked.chainPem.map((pem) => forge.pki.certificateFromPem(pem)), password);
  const keystorePath = join(dir, 'keystore.p12');
  const chainPath = join(dir, 'chain.pem');
  await writeFileAtomic(keystorePath, keystore, { mode: 0o600 });
  await writeFileAtomic(chainPath, checked.chainPem.join(''), { mode: 0o644 });
  return { keystorePath, chainPath, password };
}
