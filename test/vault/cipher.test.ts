import t from 'tap';
import { seal, unseal, NONCE_BYTES } from '../../daemon/vault/cipher.js';
import { keyId, parseKey } from '../../daemon/vault/key-material.js';
import { newKey } from '../helpers/vault.js';

const aad = Buffer.from('ibgw-vault:1:test');

t.test('seal then unseal gives the plaintext back; the key id is sha256(key)[0..8]', async (t) => {
  const { key, id } = newKey();
  const sealed = seal(key, Buffer.from('hello vault'), aad);
  t.equal(sealed.keyId, id);
  t.match(id, /^[0-9a-f]{8}$/);
  t.equal(unseal(key, sealed, aad)?.toString(), 'hello vault');
  t.not(sealed.ciphertext, Buffer.from('hello vault').toString('base64'));
});

t.test('every encryption has a fresh 96-bit nonce (20000 seals of one plaintext, no repeat)', async (t) => {
  const { key } = newKey();
  const nonces = new Set<string>();
  const ciphertexts = new Set<string>();
  let wrongLength = 0;
  for (let i = 0; i < 20_000; i++) {
    const s = seal(key, Buffer.from('same plaintext'), aad);
    if (Buffer.from(s.nonce, 'base64').length !== NONCE_BYTES) wrongLength++;
    nonces.add(s.nonce);
    ciphertexts.add(s.ciphertext);
  }
  t.equal(wrongLength, 0, 'every nonce is 12 bytes');
  t.equal(nonces.size, 20_000, 'all nonces differ');
  t.equal(ciphertexts.size, 20_000, 'so the same plaintext never seals to the same ciphertext');
});

t.test('a flipped bit in ciphertext, tag, nonce or the bound header fails authentication', async (t) => {
  const { key } = newKey();
  const sealed = seal(key, Buffer.from('{"credentials":null}'), aad);
  for (const field of ['ciphertext', 'tag', 'nonce'] as const) {
    for (const index of [0, 5]) {
      const bytes = Buffer.from(sealed[field], 'base64');
      bytes[index % bytes.length] ^= 0x01;
      t.equal(unseal(key, { ...sealed, [field]: bytes.toString('base64') }, aad), null, `${field}[${index}]`);
    }
  }
  t.equal(unseal(key, sealed, Buffer.from('ibgw-vault:1:other')), null, 'other header');
  t.equal(unseal(key, { ...sealed, tag: Buffer.from(sealed.tag, 'base64').subarray(0, 8).toString('base64') }, aad), null, 'a truncated tag is refused, not checked short');
  t.equal(unseal(newKey().key, sealed, aad), null, 'another key');
});

t.test('keys parse from hex and base64 (and base64url); anything else names its shape, never its text', async (t) => {
  const { key, hex, id } = newKey();
  t.equal(keyId(parseKey(hex, 'x')), id);
  t.equal(keyId(parseKey(` ${hex.toUpperCase()}\n`, 'x')), id);
  t.equal(keyId(parseKey(key.toString('base64'), 'x')), id);
  t.equal(keyId(parseKey(key.toString('base64url'), 'x')), id);
  for (const bad of ['', 'abc123', hex.slice(0, 62), `${hex}00`, 'a-passphrase-someone-typed-in-by-hand', 'not-a-key-but-a-passphrase-someone-typed-in', Buffer.alloc(16).toString('base64')]) {
    t.throws(() => parseKey(bad, 'ENCRYPTION_KEY in the environment'), { code: 'IBGW_VAULT_KEY_INVALID' });
    try {
      parseKey(bad, 'ENCRYPTION_KEY in the environment');
    } catch (err) {
      if (bad) t.notMatch((err as Error).message, bad, 'the text is not repeated');
      t.match((err as Error).message, /^Encryption failed: /);
    }
  }
});
