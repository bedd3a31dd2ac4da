import { constants, generateKeyPairSync, privateEncrypt, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/**
 * RSA keys come from node:crypto (native, ~50 ms) rather than forge's pure-JS generator,
 * which takes seconds for 2048 bits; forge only builds and signs the certificates.
 */
export function generateRsaKey(bits = 2048): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey: keyPem } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const privateKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  return { privateKey, publicKey, keyPem };
}

/** X.509 serials must be positive: a leading 0x01 byte keeps the top bit clear. */
export function randomSerial(): string {
  return '01' + randomBytes(15).toString('hex');
}

/** SHA-256 fingerprint as colon-separated upper-case hex, like openssl x509 -fingerprint prints it. */
export function fingerprintSha256(cert: forge.pki.Certificate): string {
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes();
  const md = forge.md.sha256.create();
  md.update(der);
  return md.digest().toHex().toUpperCase().match(/.{2}/g)!.join(':');
}

/** DER prefix of a PKCS#1 v1.5 DigestInfo for SHA-256 (RFC 8017 §9.2, note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * Signs with node:crypto instead of forge's pure-JS RSA (about ten times faster): forge builds
 * the to-be-signed bytes and hashes them, then asks `key.sign(md)` for the signature, which
 * is exactly an RSA private-key operation on the DigestInfo with type-1 padding.
 */
export function signCertificate(cert: forge.pki.Certificate, keyPem: string): void {
  const signer = {
    sign(md: forge.md.MessageDigest): string {
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      return privateEncrypt({ key: keyPem, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest])).toString('binary');
    },
  };
  cert.sign(signer as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
}
