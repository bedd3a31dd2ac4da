/**
 * Key rotation killed for real: a child process runs the compiled rotation and stops at a step;
 * this test SIGKILLs it there, then checks that the vault opens with the key on disk whose id
 * it names — the old key before the re-encryption, the new one after — and that the next
 * rotation finishes (or restarts) cleanly.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { readKeyring } from '../../daemon/vault/key-sources.js';
import { rotateKey } from '../../daemon/vault/rotate.js';
import { VaultService } from '../../daemon/vault/vault-service.js';
import { VaultStore, vaultPaths } from '../../daemon/vault/vault-store.js';
import { writeFileDurable } from '../../daemon/vault/durable-file.js';
import { isAlive } from '../helpers/process-table.js';
import { waitFor } from '../../testkit/wait-for.js';
import { newKey, PASSWORD, tempDir, TOTP, writeDotEnv } from '../helpers/vault.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/vault-rotate.mjs', import.meta.url));

type Layout = 'key-file' | 'dotenv' | 'both';

async function setUp(t: Test, layout: Layout) {
  const dir = tempDir(t);
  const dataDir = join(dir, 'data');
  const old = newKey();
  const dotEnvPath = layout === 'key-file' ? null : writeDotEnv(dir, ['# my settings', 'IBKR_CLIENT_PORTAL_PORT=5000', `export ENCRYPTION_KEY=${old.hex}`, 'OTHER=kept']);
  if (layout !== 'dotenv') await writeFileDurable(join(dataDir, 'vault.key'), `${old.hex}\n`);
  const vault = new VaultService({ dataDir, dotEnvPath, env: {} });
  await vault.setCredentials({ username: 'demo', password: PASSWORD, totpSecret: TOTP });
  await vault.setSecret('notify.smtp.password', 'smtp-Secret-991');
  return { dir, dataDir, dotEnvPath, old, vault };
}

function runChild(dataDir: string, dotEnvPath: string | null, stopAt: string) {
  const child = spawn(process.execPath, [FIXTURE, dataDir, dotEnvPath ?? '-', stopAt], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, out: () => out, err: () => err };
}

/** What a fresh process finds on disk: the vault's key id, the ids the key sources hold, the payload. */
function onDisk(dataDir: string, dotEnvPath: string | null) {
  const paths = vaultPaths(dataDir, { dotEnvPath });
  const vaultKeyId = JSON.parse(readFileSync(paths.vaultFile, 'utf8')).keyId as string;
  const ring = readKeyring({ env: {}, dotEnvPath, keyFile: paths.keyFile, rotationFile: paths.rotationFile });
  const store = new VaultStore(paths, {});
  return { vaultKeyId, ring, payload: store.open().payload };
}

const STOPS = ['record-written#1', 'vault-temp-written#1', 'vault-written#1', 'key-installed#1', 'record-removed#1'];

for (const layout of ['key-file', 'dotenv', 'both'] as const) {
  const stops = layout === 'both' ? [...STOPS, 'key-installed#2'] : STOPS;
  for (const stopAt of stops) {
    t.test(`${layout}: SIGKILL at ${stopAt} → the vault opens with the old or the new key, the next rotate finishes`, async (t) => {
      const { dataDir, dotEnvPath, old } = await setUp(t, layout);
      const run = runChild(dataDir, dotEnvPath, stopAt);
      await waitFor(() => run.out().includes(`stopped ${stopAt}`), 30_000, `the child to reach ${stopAt}: ${run.err()}`);
      run.child.kill('SIGKILL');
      t.match(await run.exited, { signal: 'SIGKILL' });
      t.notOk(isAlive(run.child.pid!), 'the child is gone');

      const after = onDisk(dataDir, dotEnvPath);
      const record = existsSync(join(dataDir, 'vault.rotation.json')) ? JSON.parse(readFileSync(join(dataDir, 'vault.rotation.json'), 'utf8')) : null;
      const reencrypted = !['record-written#1', 'vault-temp-written#1'].includes(stopAt);
      t.equal(after.vaultKeyId === old.id ? 'old' : 'new', reencrypted ? 'new' : 'old', 'the vault is under the key the step implies');
      t.ok(after.ring.keys.some((k) => k.id === after.vaultKeyId), `the key ${after.vaultKeyId} it needs is on disk (${after.ring.keys.map((k) => `${k.id}:${k.origin}`).join(', ')})`);
      t.match(after.payload.credentials, { username: 'demo', password: PASSWORD, totpSecret: TOTP }, 'every secret readable');
      t.equal(after.payload.secrets['notify.smtp.password'], 'smtp-Secret-991');
      if (stopAt !== 'record-removed#1') t.ok(record, 'the rotation record is still there');

      // A daemon that was running all along keeps reading through the crash.
      const daemonView = new VaultService({ dataDir, dotEnvPath, env: {} });
      t.match(await daemonView.status(), { configured: true, error: null, keyId: after.vaultKeyId, rotationPending: record !== null });

      const second = await rotateKey(new VaultStore(vaultPaths(dataDir, { dotEnvPath }), {}));
      const finished = onDisk(dataDir, dotEnvPath);
      t.equal(finished.vaultKeyId, second.toKeyId);
      t.equal(second.resumed, reencrypted && stopAt !== 'record-removed#1', 'resumes only a rotation that re-encrypted the vault');
      if (second.resumed) t.equal(second.toKeyId, after.vaultKeyId, 'finishing keeps the key the vault already has');
      t.notOk(existsSync(join(dataDir, 'vault.rotation.json')), 'no rotation record left');
      t.same(readdirSync(dataDir).filter((n) => n.endsWith('.tmp')), [], 'no temp file left');
      const sources = finished.ring.keys.map((k) => k.origin).sort();
      t.same(sources, layout === 'both' ? ['dotenv', 'key-file'] : [layout], 'the key lives where it lived');
      t.ok(finished.ring.keys.every((k) => k.id === second.toKeyId), 'every source holds the new key');
      t.match(finished.payload.credentials, { username: 'demo', password: PASSWORD, totpSecret: TOTP });
      if (dotEnvPath) {
        const text = readFileSync(dotEnvPath, 'utf8');
        t.match(text, /^# my settings\nIBKR_CLIENT_PORTAL_PORT=5000\nexport ENCRYPTION_KEY=[0-9a-f]{64}\nOTHER=kept\n$/, 'the rest of .env is kept');
      }
    });
  }
}

t.test('an uninterrupted rotation; a key from the environment cannot be rotated', async (t) => {
  const { dataDir, dotEnvPath, old } = await setUp(t, 'dotenv');
  const run = runChild(dataDir, dotEnvPath, '-');
  t.match(await run.exited, { code: 0 });
  const result = JSON.parse(run.out());
  t.match(result, { fromKeyId: old.id, resumed: false, vaultReencrypted: true, destinations: [{ origin: 'dotenv', path: dotEnvPath }] });
  t.not(result.toKeyId, old.id);
  t.equal(onDisk(dataDir, dotEnvPath).vaultKeyId, result.toKeyId);

  const envOnly = tempDir(t);
  const k = newKey();
  const vault = new VaultService({ dataDir: join(envOnly, 'data'), dotEnvPath: null, env: { ENCRYPTION_KEY: k.hex } });
  await vault.setCredentials({ username: 'demo', password: PASSWORD });
  await t.rejects(vault.rotateKey(), { code: 'IBGW_VAULT_ROTATE_SOURCE' });
  t.equal(JSON.parse(readFileSync(join(envOnly, 'data', 'vault.json'), 'utf8')).keyId, k.id, 'nothing changed');
});

t.test('the environment still holding the old key beside the .env: rotated, with a warning', async (t) => {
  const { dataDir, dotEnvPath, old } = await setUp(t, 'dotenv');
  const vault = new VaultService({ dataDir, dotEnvPath, env: { ENCRYPTION_KEY: old.hex } });
  const result = await vault.rotateKey();
  t.match(result.warnings, [/ENCRYPTION_KEY in the environment still holds the old key/]);
  t.match(await vault.getCredentials(), { password: PASSWORD }, 'the stale environment key does not get in the way');
});
