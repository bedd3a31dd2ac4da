/**
 * AES-256-GCM with a fresh random 96-bit nonce for every encryption. GCM must never see one
 * nonce twice under one key: the two ciphertexts would XOR to the XOR of the plaintexts, and
 * the authentication key could be recovered and any tag forged. That is why the setup guide's
 * fixed ENCRYPTION_IV is not used. Random 96-bit nonces stay safe far beyond the few thousand
 * encryptions a vault sees in its life (NIST SP 800-38D allows 2^32 per key).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { keyId } from './key-material.js';

export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

export interface Sealed {
  keyId: string;
  nonce: string;
  tag: string;
  ciphertext: string;
}

export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { keyId: keyId(key), nonce: nonce.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ciphertext: ciphertext.toString('base64') };
}

/** Null when authentication fails: the caller knows which file and key id to name. */
export function unseal(key: Buffer, sealed: Sealed, aad: Buffer): Buffer | null {
  const nonce = Buffer.from(sealed.nonce, 'base64');
  const tag = Buffer.from(sealed.tag, 'base64');
  // A short tag would be accepted by OpenSSL and weaken the check; the file says 16 bytes or it is not ours.
  if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) return null;
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
  } catch {
    return null;
  }
}
