/**
 * <dataDir>/vault.json: one sealed document holding the credentials and the named secrets.
 * Everything but the key id, the nonce and the tag is ciphertext — not even the secret names
 * or the username are readable on disk. The header (format, version, key id) is bound into the
 * tag as additional data, so editing it is caught like editing the ciphertext.
 */
import { ERR_VAULT_CORRUPT, ERR_VAULT_TAMPERED, ERR_VAULT_WRONG_KEY } from '../errors.js';
import { seal, unseal, type Sealed } from './cipher.js';
import { writeFileDurable } from './durable-file.js';
import { assertPrivateFile } from './file-mode.js';
import type { KeyCandidate } from './key-sources.js';
import { readText } from './read-text.js';
import { parsePayload, type VaultPayload } from './payload.js';

export const VAULT_FORMAT = 'ibgw-vault';
export const VAULT_VERSION = 1;

export interface VaultDocument extends Sealed {
  format: typeof VAULT_FORMAT;
  version: typeof VAULT_VERSION;
  cipher: 'aes-256-gcm';
}

const aad = (id: string) => Buffer.from(`${VAULT_FORMAT}:${VAULT_VERSION}:${id}`);

/** Null when there is no vault yet. Refuses a file others can read before looking inside. */
export function readVaultDocument(path: string): VaultDocument | null {
  if (!assertPrivateFile(path)) return null;
  const text = readText(path);
  if (text === null) return null;
  let doc: Partial<VaultDocument>;
  try {
    doc = JSON.parse(text);
  } catch {
    throw ERR_VAULT_CORRUPT(path, 'not JSON');
  }
  if (doc?.format !== VAULT_FORMAT) throw ERR_VAULT_CORRUPT(path, `format is not ${VAULT_FORMAT}`);
  if (doc.version !== VAULT_VERSION) throw ERR_VAULT_CORRUPT(path, `version ${String(doc.version)} is not ${VAULT_VERSION} (written by another ibgw version?)`);
  for (const field of ['keyId', 'nonce', 'tag', 'ciphertext'] as const) {
    if (typeof doc[field] !== 'string') throw ERR_VAULT_CORRUPT(path, `field ${field} is missing`);
  }
  return doc as VaultDocument;
}

export function sealPayload(key: KeyCandidate, payload: VaultPayload): VaultDocument {
  const sealed = seal(key.key, Buffer.from(JSON.stringify(payload)), aad(key.id));
  return { format: VAULT_FORMAT, version: VAULT_VERSION, cipher: 'aes-256-gcm', ...sealed };
}

/**
 * Opens the document with the key whose id it names. No such key → wrong key; the right key
 * but a failing tag → the file was altered. Telling the two apart is what the key id is for.
 */
export function openDocument(doc: VaultDocument, keys: KeyCandidate[], path: string): { payload: VaultPayload; key: KeyCandidate } {
  const key = keys.find((k) => k.id === doc.keyId);
  if (!key) {
    const given = keys.length ? keys.map((k) => `${k.id} from ${k.label}`).join('; ') : 'none';
    const err = ERR_VAULT_WRONG_KEY(path, doc.keyId, given, doc.keyId);
    err.details = { path, vaultKeyId: doc.keyId, givenKeyIds: keys.map((k) => k.id) };
    throw err;
  }
  const plaintext = unseal(key.key, doc, aad(doc.keyId));
  if (!plaintext) {
    const err = ERR_VAULT_TAMPERED(path, doc.keyId);
    err.details = { path, keyId: doc.keyId };
    throw err;
  }
  return { payload: parsePayload(plaintext, path), key };
}

export async function writeVaultDocument(path: string, doc: VaultDocument, beforeRename?: () => Promise<void>): Promise<void> {
  await writeFileDurable(path, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600, beforeRename });
}
