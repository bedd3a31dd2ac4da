import { chmodSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { VaultService, type CredentialsChange } from '../../daemon/vault/vault-service.js';
import { writeFileDurable } from '../../daemon/vault/durable-file.js';
import { capture, newKey, PASSWORD, tempDir, TOTP, writeDotEnv } from '../helpers/vault.js';

const mode = (path: string) => statSync(path).mode & 0o777;

function service(dir: string, options: Partial<ConstructorParameters<typeof VaultService>[0]> = {}) {
  return new VaultService({ dataDir: join(dir, 'data'), dotEnvPath: null, env: {}, ...options });
}

t.test('round trip: credentials and named secrets, sealed in a 0600 file that shows none of them', async (t) => {
  const dir = tempDir(t);
  const k = newKey();
  const c = capture();
  const vault = service(dir, { env: { ENCRYPTION_KEY: k.hex }, logger: c.logger, onEvent: c.onEvent });
  await vault.start();
  t.same(await vault.getCredentials(), null, 'nothing stored yet');
  const s = await vault.setCredentials({ username: 'demo', password: PASSWORD, mode: 'live', totpSecret: 'jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp' });
  t.match(s, { configured: true, username: 'demo', mode: 'live', hasTotp: true, keyId: k.id, keySource: 'ENCRYPTION_KEY in the environment', error: null });
  t.same(await vault.getCredentials(), { username: 'demo', password: PASSWORD, mode: 'live', totpSecret: TOTP }, 'TOTP secret normalised');
  await vault.setSecret('notify.smtp.password', 'smtp-Secret-991');
  await vault.setSecret('notify.webhook.secret', 'hook-Secret-552');
  t.equal(await vault.getSecret('notify.smtp.password'), 'smtp-Secret-991');
  t.same(await vault.listSecretNames(), ['notify.smtp.password', 'notify.webhook.secret']);
  t.equal(await vault.deleteSecret('notify.webhook.secret'), true);
  t.equal(await vault.deleteSecret('notify.webhook.secret'), false);
  t.equal(await vault.getSecret('notify.webhook.secret'), null);

  const file = join(dir, 'data', 'vault.json');
  t.equal(mode(file), 0o600);
  const onDisk = readFileSync(file, 'utf8');
  for (const secret of [PASSWORD, TOTP, 'smtp-Secret-991', 'demo', 'notify.smtp', k.hex]) t.notMatch(onDisk, secret, `not on disk in clear: ${secret.slice(0, 4)}…`);
  t.match(JSON.parse(onDisk), { format: 'ibgw-vault', version: 1, cipher: 'aes-256-gcm', keyId: k.id });

  // A second instance (the daemon after a restart, or the CLI) reads the same.
  t.same(await service(dir, { env: { ENCRYPTION_KEY: k.hex } }).getCredentials(), { username: 'demo', password: PASSWORD, mode: 'live', totpSecret: TOTP });

  const cleared = await vault.clearCredentials();
  t.match(cleared, { configured: false, username: null, hasTotp: false, secretCount: 1 });
  t.equal(await vault.getSecret('notify.smtp.password'), 'smtp-Secret-991', 'clearing credentials keeps the other secrets');
  await vault.stop();
  await vault.stop();
  t.notMatch(c.text(), PASSWORD, 'no password in logs or events');
  t.notMatch(c.text(), TOTP, 'no TOTP secret in logs or events');
  t.notMatch(c.text(), 'smtp-Secret-991', 'no secret value in logs or events');
  t.notMatch(c.text(), k.hex, 'no key in logs or events');
  t.ok(c.events.some((e) => e.type === 'vault.secret-changed' && e.data?.name === 'notify.smtp.password'));
});

t.test('bad input names the field, never the value', async (t) => {
  const dir = tempDir(t);
  const vault = service(dir, { env: { ENCRYPTION_KEY: newKey().hex } });
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ password: PASSWORD }, 'username'],
    [{ username: 'demo' }, 'password'],
    [{ username: 'de mo', password: PASSWORD }, 'username'],
    [{ username: 'demo', password: `${PASSWORD}\nsecond` }, 'password'],
    [{ username: 'demo', password: PASSWORD, mode: 'real' }, 'mode'],
    [{ username: 'demo', password: PASSWORD, totpSecret: 'not base32 at all 0189!' }, 'totpSecret'],
    [{ username: 'demo', password: PASSWORD, totpSecret: 'JBSWY3DP' }, 'totpSecret'],
  ];
  for (const [input, field] of cases) {
    try {
      await vault.setCredentials(input);
      t.fail(`expected ${field} to be refused`);
    } catch (err) {
      const e = err as { code: string; message: string };
      t.equal(e.code, 'IBGW_CREDENTIALS_INVALID', field);
      t.match(e.message, new RegExp(`^${field}: `));
      t.notMatch(e.message, PASSWORD);
    }
  }
  await t.rejects(vault.setSecret('Bad Name', 'x'), { code: 'IBGW_SECRET_NAME' });
  await t.rejects(vault.setSecret('ok.name', ''), { code: 'IBGW_CREDENTIALS_INVALID' });
  t.notOk(existsSync(join(dir, 'data', 'vault.json')), 'nothing written');
});

t.test('no key: the guide\'s message; nothing stored needs no key', async (t) => {
  const dir = tempDir(t);
  const vault = service(dir);
  const s = await vault.status();
  t.match(s, { configured: false, keyId: null, error: null }, 'an empty vault is not an error');
  t.match(await vault.clearCredentials(), { configured: false });
  const err = await vault.setCredentials({ username: 'demo', password: PASSWORD }).catch((e) => e);
  t.equal(err.code, 'IBGW_VAULT_NO_KEY');
  t.match(err.message, /^Encryption failed: check encryption keys \(ENCRYPTION_KEY\)/);
  t.notOk(existsSync(join(dir, 'data', 'vault.json')));
});

t.test('wrong key and a tampered file are told apart', async (t) => {
  const dir = tempDir(t);
  const right = newKey();
  const wrong = newKey();
  await service(dir, { env: { ENCRYPTION_KEY: right.hex } }).setCredentials({ username: 'demo', password: PASSWORD });
  const file = join(dir, 'data', 'vault.json');
  const original = readFileSync(file, 'utf8');

  const other = service(dir, { env: { ENCRYPTION_KEY: wrong.hex } });
  const err = await other.getCredentials().catch((e) => e);
  t.equal(err.code, 'IBGW_VAULT_WRONG_KEY');
  t.match(err.message, right.id, 'names the id the vault needs');
  t.match(err.message, wrong.id, 'and the id given');
  t.match(await other.status(), { error: { code: 'IBGW_VAULT_WRONG_KEY' }, keyId: right.id, configured: false });
  await t.rejects(other.setCredentials({ username: 'x', password: 'y' }), { code: 'IBGW_VAULT_WRONG_KEY' }, 'no write under another key');
  t.equal(readFileSync(file, 'utf8'), original, 'file untouched');

  const vault = service(dir, { env: { ENCRYPTION_KEY: right.hex } });
  for (const field of ['ciphertext', 'tag', 'nonce']) {
    const doc = JSON.parse(original);
    const bytes = Buffer.from(doc[field], 'base64');
    bytes[bytes.length - 1] ^= 0x80;
    doc[field] = bytes.toString('base64');
    writeFileSync(file, JSON.stringify(doc), { mode: 0o600 });
    const e = await vault.getCredentials().catch((x) => x);
    t.equal(e.code, 'IBGW_VAULT_TAMPERED', `a flipped bit in ${field}`);
    t.match(e.message, right.id);
  }
  writeFileSync(file, original.slice(0, 100), { mode: 0o600 });
  t.equal((await vault.getCredentials().catch((x) => x)).code, 'IBGW_VAULT_CORRUPT', 'a torn file');
});

t.test('files open to others are refused with the chmod that fixes them', async (t) => {
  const dir = tempDir(t);
  const k = newKey();
  const dotEnv = writeDotEnv(dir, [`ENCRYPTION_KEY=${k.hex}`], 0o644);
  const vault = service(dir, { dotEnvPath: dotEnv });
  const e1 = await vault.setCredentials({ username: 'demo', password: PASSWORD }).catch((e) => e);
  t.equal(e1.code, 'IBGW_VAULT_FILE_MODE');
  t.match(e1.message, `chmod 600 ${dotEnv}`);
  t.match(e1.message, '0644');
  chmodSync(dotEnv, 0o600);
  await vault.setCredentials({ username: 'demo', password: PASSWORD });
  t.match(await vault.status(), { keySource: `ENCRYPTION_KEY in ${dotEnv}` });

  const file = join(dir, 'data', 'vault.json');
  chmodSync(file, 0o644);
  const e2 = await vault.getCredentials().catch((e) => e);
  t.equal(e2.code, 'IBGW_VAULT_FILE_MODE');
  t.match(e2.message, `chmod 600 ${file}`);
  chmodSync(file, 0o640);
  t.equal((await vault.getCredentials().catch((e) => e)).code, 'IBGW_VAULT_FILE_MODE', 'group-readable too');
  chmodSync(file, 0o600);

  const keyFile = join(dir, 'data', 'vault.key');
  writeFileSync(keyFile, `${newKey().hex}\n`, { mode: 0o644 });
  const e3 = await service(dir, { keyFile }).status();
  t.match(e3.error, { code: 'IBGW_VAULT_FILE_MODE' });
  t.match(e3.error?.message, `chmod 600 ${keyFile}`);
});

t.test('the key file: alone or as the .env line keys generate prints; 0600', async (t) => {
  const dir = tempDir(t);
  const k = newKey();
  const keyFile = join(dir, 'secret', 'my key');
  await writeFileDurable(keyFile, `# made by ibgw keys generate\nENCRYPTION_KEY=${k.hex}\n`);
  t.equal(mode(keyFile), 0o600);
  const vault = service(dir, { keyFile });
  await vault.setCredentials({ username: 'demo', password: PASSWORD });
  t.match(await vault.status(), { keyId: k.id, keySource: `key file ${keyFile}` });
  chmodSync(keyFile, 0o604);
  t.match((await vault.status()).error?.message, `chmod 600 '${keyFile}'`, 'a path with a space is quoted');
});

t.test('ENCRYPTION_IV is reported once as ignored; the IV never becomes a nonce', async (t) => {
  const dir = tempDir(t);
  const c = capture();
  const dotEnv = writeDotEnv(dir, [`ENCRYPTION_KEY=${newKey().hex}`, 'ENCRYPTION_IV=000102030405060708090a0b']);
  const vault = service(dir, { dotEnvPath: dotEnv, env: { ENCRYPTION_IV: 'abcdef' }, logger: c.logger, onEvent: c.onEvent });
  await vault.start();
  await vault.start();
  await vault.setCredentials({ username: 'demo', password: PASSWORD });
  const first = JSON.parse(readFileSync(join(dir, 'data', 'vault.json'), 'utf8')).nonce;
  await vault.setCredentials({ username: 'demo', password: PASSWORD });
  t.not(JSON.parse(readFileSync(join(dir, 'data', 'vault.json'), 'utf8')).nonce, first, 'a new nonce per write');
  const iv = c.events.filter((e) => e.type === 'vault.iv-ignored');
  t.equal(iv.length, 1, 'once');
  t.same(iv[0].data?.foundIn, ['the environment', dotEnv]);
  t.match(iv[0].message, /ENCRYPTION_IV is ignored: AES-GCM needs a fresh random nonce/);
  t.notMatch(c.text(), 'abcdef');
});

t.test('credentials-changed: on set and clear, and for a change made by another process', async (t) => {
  const dir = tempDir(t);
  const k = newKey();
  const c = capture();
  const vault = service(dir, { env: { ENCRYPTION_KEY: k.hex }, onEvent: c.onEvent, logger: c.logger });
  const seen: CredentialsChange[] = [];
  vault.on('credentials-changed', (change) => seen.push(change));
  await vault.start();
  const s = await vault.setCredentials({ username: 'demo', password: PASSWORD, totpSecret: TOTP });
  t.match(seen, [{ action: 'set', username: 'demo', mode: 'paper', hasTotp: true, revision: s.revision }]);
  // Another writer (the CLI while no daemon ran) changes the file: seen at the next read.
  await service(dir, { env: { ENCRYPTION_KEY: k.hex } }).setCredentials({ username: 'other', password: `${PASSWORD}2` });
  t.equal(seen.length, 1, 'not seen before a read');
  t.match(await vault.getCredentials(), { username: 'other' });
  t.match(seen[1], { action: 'external', username: 'other' });
  await vault.status();
  t.equal(seen.length, 2, 'reported once');
  await vault.clearCredentials();
  t.match(seen[2], { action: 'cleared', username: null, revision: null });
  t.equal(c.events.filter((e) => e.type === 'vault.credentials-changed').length, 3);
  for (const change of seen) t.same(Object.keys(change).sort(), ['action', 'hasTotp', 'mode', 'revision', 'username']);
  t.notMatch(c.text(), PASSWORD);
  t.notMatch(c.text(), TOTP);
});

t.test('a writer killed mid-write leaves the old vault whole; its temp file is ignored', async (t) => {
  const dir = tempDir(t);
  const k = newKey();
  const vault = service(dir, { env: { ENCRYPTION_KEY: k.hex } });
  await vault.setCredentials({ username: 'demo', password: PASSWORD });
  // What a SIGKILL between fsync and rename leaves (the rotation test kills a real process there).
  const data = join(dir, 'data');
  writeFileSync(join(data, '.vault.json.999999.deadbeef.tmp'), '{"format":"ibgw-vault", "torn', { mode: 0o600 });
  t.match(await vault.getCredentials(), { username: 'demo', password: PASSWORD });
  await vault.setCredentials({ username: 'demo2', password: PASSWORD });
  t.match(await vault.getCredentials(), { username: 'demo2' });
  t.same(readdirSync(data).filter((n) => n.startsWith('vault')), ['vault.json'], 'no lock left behind');
});

t.test('concurrent writes from one service are serialised: none is lost', async (t) => {
  const dir = tempDir(t);
  const vault = service(dir, { env: { ENCRYPTION_KEY: newKey().hex } });
  await Promise.all(Array.from({ length: 20 }, (_, i) => vault.setSecret(`s${i}`, `v${i}`)));
  t.equal((await vault.listSecretNames()).length, 20);
});

t.test('clear with the wrong key is the wrong-key error, not "cleared"', async (t) => {
  const dir = tempDir(t);
  await service(dir, { env: { ENCRYPTION_KEY: newKey().hex } }).setCredentials({ username: 'demo', password: PASSWORD });
  await t.rejects(service(dir, { env: { ENCRYPTION_KEY: newKey().hex } }).clearCredentials(), { code: 'IBGW_VAULT_WRONG_KEY' });
});
