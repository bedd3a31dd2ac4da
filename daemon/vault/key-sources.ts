/**
 * Where the vault key comes from, re-read at every use so a rotation done by another process
 * (the CLI while the daemon runs) is picked up without a restart:
 *
 *   1. ENCRYPTION_KEY in the environment (a service manager's secret),
 *   2. ENCRYPTION_KEY in the `.env` file of the working directory,
 *   3. the key file (`vault.keyFile`, default <dataDir>/vault.key),
 *   4. the new key of a key rotation that was interrupted (vault.rotation.json).
 *
 * The first one present encrypts a new vault; an existing vault is opened with whichever one
 * has the key id written beside its ciphertext.
 */
import { parseEnv } from 'node:util';
import { ERR_VAULT_NO_KEY } from '../errors.js';
import { assertPrivateFile } from './file-mode.js';
import { keyId, parseKey } from './key-material.js';
import { readText } from './read-text.js';
import { readRotationRecord } from './rotation-record.js';

export const KEY_VARIABLE = 'ENCRYPTION_KEY';
/** The setup guide's fixed IV; accepted only to say it is ignored (see cipher.ts for why). */
export const IV_VARIABLE = 'ENCRYPTION_IV';

export type KeyOrigin = 'environment' | 'dotenv' | 'key-file' | 'rotation';

export interface KeyCandidate {
  key: Buffer;
  id: string;
  origin: KeyOrigin;
  /** The file it was read from; null for the environment. */
  path: string | null;
  /** For messages: `ENCRYPTION_KEY in /srv/ibgw/.env`. */
  label: string;
}

export interface KeySourceOptions {
  env: NodeJS.ProcessEnv;
  /** `.env` of the working directory; null to not look. */
  dotEnvPath: string | null;
  keyFile: string;
  rotationFile: string;
}

export interface Keyring {
  keys: KeyCandidate[];
}

function candidate(text: string, origin: KeyOrigin, path: string | null, label: string): KeyCandidate {
  const key = parseKey(text, label);
  return { key, id: keyId(key), origin, path, label };
}

/** A key file holds the key alone, or the `ENCRYPTION_KEY=…` line `ibgw keys generate` prints. */
function keyFileText(text: string): string {
  const fromEnvForm = parseEnv(text)[KEY_VARIABLE];
  return fromEnvForm ?? text.split('\n').filter((line) => !line.trimStart().startsWith('#')).join('').trim();
}

export function readKeyring(options: KeySourceOptions): Keyring {
  const keys: KeyCandidate[] = [];
  const fromEnv = options.env[KEY_VARIABLE];
  if (fromEnv) keys.push(candidate(fromEnv, 'environment', null, `${KEY_VARIABLE} in the environment`));
  if (options.dotEnvPath) {
    const text = readText(options.dotEnvPath);
    const parsed = text === null ? {} : parseEnv(text);
    if (parsed[KEY_VARIABLE] !== undefined) {
      assertPrivateFile(options.dotEnvPath);
      keys.push(candidate(parsed[KEY_VARIABLE], 'dotenv', options.dotEnvPath, `${KEY_VARIABLE} in ${options.dotEnvPath}`));
    }
  }
  if (assertPrivateFile(options.keyFile)) {
    const text = readText(options.keyFile);
    if (text !== null) keys.push(candidate(keyFileText(text), 'key-file', options.keyFile, `key file ${options.keyFile}`));
  }
  const rotation = readRotationRecord(options.rotationFile);
  if (rotation) keys.push({ key: rotation.key, id: rotation.keyId, origin: 'rotation', path: options.rotationFile, label: `the new key of an unfinished rotation in ${options.rotationFile}` });
  return { keys };
}

/** Where an ENCRYPTION_IV is set (it is ignored); the value is never read. */
export function findIv(options: Pick<KeySourceOptions, 'env' | 'dotEnvPath'>): string[] {
  const found: string[] = [];
  if (options.env[IV_VARIABLE] !== undefined) found.push('the environment');
  const text = options.dotEnvPath ? readText(options.dotEnvPath) : null;
  if (text !== null && parseEnv(text)[IV_VARIABLE] !== undefined) found.push(options.dotEnvPath!);
  return found;
}

export function describeSources(options: KeySourceOptions): string {
  return [`${KEY_VARIABLE} in the environment`, options.dotEnvPath ? `${KEY_VARIABLE} in ${options.dotEnvPath}` : null, `key file ${options.keyFile}`]
    .filter(Boolean).join(', ');
}

/** The key a new vault is encrypted with. */
export function primaryKey(ring: Keyring, options: KeySourceOptions): KeyCandidate {
  const key = ring.keys.find((k) => k.origin !== 'rotation');
  if (!key) {
    const err = ERR_VAULT_NO_KEY(describeSources(options));
    err.details = { looked: describeSources(options) };
    throw err;
  }
  return key;
}

export const IV_IGNORED_MESSAGE = `${IV_VARIABLE} is ignored: AES-GCM needs a fresh random nonce for every encryption (the vault stores one beside each ciphertext); a fixed IV reused under one key would reveal how the sealed contents differ and let anyone holding two vault files forge a third. Remove it.`;
