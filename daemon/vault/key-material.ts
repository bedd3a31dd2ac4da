/**
 * The vault key: 32 random bytes, written as hex (64 characters) or base64 (44 with padding,
 * 43 without; base64url accepted too). Its id — the first 8 hex digits of sha256(key) — is
 * stored beside every ciphertext, so a wrong key is told apart from a damaged file and, during
 * a rotation, the right one of two keys is picked without trial decryption.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ERR_VAULT_KEY_INVALID } from '../errors.js';

export const KEY_BYTES = 32;

export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** The canonical written form: hex, unambiguous and easy to compare by eye. */
export function formatKey(key: Buffer): string {
  return key.toString('hex');
}

/**
 * `source` names where the text came from (`ENCRYPTION_KEY in /srv/.env`) for the error; the
 * error describes the text's shape, never the text.
 */
export function parseKey(text: string, source: string): Buffer {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(value) || /^[A-Za-z0-9_-]{43}$/.test(value)) {
    const key = Buffer.from(value, value.endsWith('=') ? 'base64' : 'base64url');
    // Canonical only (re-encodes to the same text): a 43-character word typed by hand is not a key.
    if (key.length === KEY_BYTES && [key.toString('base64'), key.toString('base64url')].includes(value)) return key;
  }
  const what = value.length === 0 ? 'it is empty' : /^[0-9a-fA-F]+$/.test(value)
    ? `${value.length} hex digits, need 64`
    : `${value.length} characters, need 64 hex digits or 44 base64 characters`;
  throw ERR_VAULT_KEY_INVALID(source, what);
}
