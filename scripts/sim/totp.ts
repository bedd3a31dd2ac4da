/**
 * RFC 6238 time-based one-time passwords, as IBKR's "Mobile Authenticator App" option checks
 * them: HMAC-SHA-1, 6 digits, 30-second steps, and one step of clock drift either way. Written
 * here with node:crypto rather than taken from the library the daemon's driver uses, so the
 * simulator checks the driver's codes with an independent implementation.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const STEP_SECONDS = 30;
export const DIGITS = 6;

/** RFC 4648 base32 (case-insensitive, padding optional) → bytes; throws on a foreign character. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) throw new Error('not base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 HOTP with dynamic truncation. */
export function hotp(key: Buffer, counter: number, digits = DIGITS): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

export function totpAt(secret: string, epochMs: number): string {
  return hotp(base32Decode(secret), Math.floor(epochMs / 1000 / STEP_SECONDS));
}

/** True when `code` matches the step of `epochMs` or the one before or after it. */
export function verifyTotp(secret: string, code: string, epochMs: number, window = 1): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  const key = base32Decode(secret);
  const step = Math.floor(epochMs / 1000 / STEP_SECONDS);
  let ok = false;
  // Every candidate is compared (no early exit), so timing says nothing about which step matched.
  for (let drift = -window; drift <= window; drift++) {
    ok = timingSafeEqual(Buffer.from(hotp(key, step + drift)), Buffer.from(code)) || ok;
  }
  return ok;
}
