/**
 * What the vault holds once decrypted, and the checks on what goes in. Errors name the field
 * and what is wrong with it, never the value: the value may be the password.
 */
import { randomBytes } from 'node:crypto';
import { ERR_CREDENTIALS_INVALID, ERR_SECRET_NAME, ERR_VAULT_CORRUPT } from '../errors.js';

export type TradingMode = 'paper' | 'live';
export const TRADING_MODES: readonly TradingMode[] = ['paper', 'live'];

export interface Credentials {
  username: string;
  password: string;
  mode: TradingMode;
  /** Base32, upper case, no spaces or padding; null when the account has no TOTP second factor. */
  totpSecret: string | null;
}

export interface StoredCredentials extends Credentials {
  updatedAt: string;
  /** Random, new on every change: lets a reader tell "changed since" without comparing secrets. */
  revision: string;
}

export interface VaultPayload {
  credentials: StoredCredentials | null;
  secrets: Record<string, string>;
}

export const emptyPayload = (): VaultPayload => ({ credentials: null, secrets: {} });

// C0 controls and DEL: a newline would split the password across the stdin lines of `credentials set`.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function text(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw ERR_CREDENTIALS_INVALID(field, 'must be a string');
  if (value.length === 0) throw ERR_CREDENTIALS_INVALID(field, 'must not be empty');
  if (value.length > max) throw ERR_CREDENTIALS_INVALID(field, `must be at most ${max} characters`);
  if (CONTROL.test(value)) throw ERR_CREDENTIALS_INVALID(field, 'must not contain control characters or line breaks');
  return value;
}

/** Authenticator apps show the secret in groups with spaces, sometimes padded or in lower case. */
export function normalizeTotpSecret(value: unknown): string {
  if (typeof value !== 'string') throw ERR_CREDENTIALS_INVALID('totpSecret', 'must be a string');
  const secret = value.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  if (!/^[A-Z2-7]*$/.test(secret)) throw ERR_CREDENTIALS_INVALID('totpSecret', 'must be base32 (letters A-Z and digits 2-7)');
  if (secret.length < 16) throw ERR_CREDENTIALS_INVALID('totpSecret', `is ${secret.length} base32 characters; a TOTP secret has at least 16`);
  if (secret.length > 128) throw ERR_CREDENTIALS_INVALID('totpSecret', 'is longer than 128 base32 characters');
  return secret;
}

export function validateCredentials(input: unknown): Credentials {
  if (typeof input !== 'object' || input === null) throw ERR_CREDENTIALS_INVALID('credentials', 'must be an object');
  const i = input as Record<string, unknown>;
  const username = text('username', i.username, 64);
  if (/\s/.test(username)) throw ERR_CREDENTIALS_INVALID('username', 'must not contain spaces');
  const password = text('password', i.password, 256);
  const mode = i.mode ?? 'paper';
  if (!TRADING_MODES.includes(mode as TradingMode)) throw ERR_CREDENTIALS_INVALID('mode', 'must be paper or live');
  const totpSecret = i.totpSecret === undefined || i.totpSecret === null || i.totpSecret === '' ? null : normalizeTotpSecret(i.totpSecret);
  return { username, password, mode: mode as TradingMode, totpSecret };
}

export function stamp(credentials: Credentials, now: Date): StoredCredentials {
  return { ...credentials, updatedAt: now.toISOString(), revision: randomBytes(4).toString('hex') };
}

/** Dotted lower-case names, e.g. `notify.smtp.password`: they appear in logs, so they must be plain. */
export function validateSecretName(name: unknown): string {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name)) {
    throw ERR_SECRET_NAME(JSON.stringify(typeof name === 'string' ? name.slice(0, 70) : name), 'use 1-64 of a-z 0-9 . _ - starting with a letter or digit');
  }
  return name;
}

export function validateSecretValue(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw ERR_CREDENTIALS_INVALID(`secret ${name}`, 'must be a non-empty string');
  if (value.length > 8192) throw ERR_CREDENTIALS_INVALID(`secret ${name}`, 'must be at most 8192 characters');
  return value;
}

/** The plaintext passed authentication, so a bad shape means a bug or a foreign file, not an attacker. */
export function parsePayload(plaintext: Buffer, path: string): VaultPayload {
  let value: unknown;
  try {
    value = JSON.parse(plaintext.toString('utf8'));
  } catch {
    throw ERR_VAULT_CORRUPT(path, 'the decrypted content is not JSON');
  }
  const v = value as Partial<VaultPayload>;
  const secretsOk = typeof v?.secrets === 'object' && v.secrets !== null && Object.values(v.secrets).every((s) => typeof s === 'string');
  const c = v?.credentials;
  const credsOk = c === null || (typeof c === 'object' && typeof c?.username === 'string' && typeof c.password === 'string' && TRADING_MODES.includes(c.mode));
  if (!secretsOk || !credsOk) throw ERR_VAULT_CORRUPT(path, 'the decrypted content has an unknown shape');
  return { credentials: c ? { ...c, totpSecret: c.totpSecret ?? null } : null, secrets: { ...v.secrets } };
}
