import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { promisify } from 'node:util';
import { packageRoot } from '../../daemon/package-root.js';
import { generateLocalTlsApart } from '../../daemon/tls/generate-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../../testkit/wait-for.js';

t.test('the helper makes CA, certificate and keystore; the keystore opens, the CA signed it, a renewal keeps the CA', async (t) => {
  const dir = tempDir(t, 'ibgw-tls-apart-');
  const now = new Date('2026-12-01T10:00:00Z');
  const tls = await generateLocalTlsApart({ dir, hosts: ['127.0.0.1', 'gw.local'], validityDays: 90, password: 'pass-word', now });
  t.equal(tls.password, 'pass-word');
  t.ok(tls.notAfter instanceof Date, 'notAfter comes back a Date');
  const cert = new X509Certificate(tls.certPem);
  const ca = new X509Certificate(tls.caPem);
  t.equal(tls.notAfter.getTime(), new Date(cert.validTo).getTime());
  t.ok(cert.verify(ca.publicKey), 'signed by the local CA');
  t.ok(cert.checkHost('gw.local') && cert.checkIP('127.0.0.1'), 'for the names asked');
  t.doesNotThrow(() => createSecureContext({ pfx: readFileSync(tls.keystorePath), passphrase: 'pass-word' }), 'OpenSSL opens the keystore');
  t.equal(statSync(tls.keystorePath).mode & 0o777, 0o600);
  t.equal(statSync(join(dir, 'ca-key.pem')).mode & 0o777, 0o600);

  const renewed = await generateLocalTlsApart({ dir, hosts: ['127.0.0.1'], validityDays: 90, password: 'pass-word', now, reuseCa: true });
  t.equal(renewed.caPem, tls.caPem, 'the CA is kept');
  t.not(renewed.fingerprint, tls.fingerprint, 'a new server certificate');
});

t.test('a failure in the helper comes back with its message', async (t) => {
  // A file where the folder should be: no certificate can be written there.
  const dir = join(tempDir(t, 'ibgw-tls-apart-'), 'a-file');
  writeFileSync(dir, '');
  await t.rejects(generateLocalTlsApart({ dir, hosts: [], validityDays: 30 }), /making the certificate failed \(helper exited 1\): .*(EEXIST|ENOTDIR)/);
});

t.test('a daemon that makes its keystore does not load node-forge itself', async (t) => {
  const dir = tempDir(t, 'ibgw-tls-apart-');
  const dist = (p: string) => JSON.stringify(join(packageRoot, 'dist', 'daemon', 'tls', p));
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const forge = () => Object.keys(require.cache).some((k) => k.includes('node-forge'));
    const { ensureGeneratedKeystore } = await import(${dist('generated-keystore.js')});
    const ks = await ensureGeneratedKeystore({ dir: ${JSON.stringify(dir)}, hosts: ['127.0.0.1'], validityDays: 30, renewBeforeDays: 5, now: new Date(), force: true });
    const before = forge();
    await import(${dist('generate.js')}); // the check itself: this one does load it
    console.log(JSON.stringify({ renewed: ks.renewed, forge: before, afterImport: forge() }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, NODE_OPTIONS: '' } });
  t.same(JSON.parse(stdout), { renewed: true, forge: false, afterImport: true });
});

/** Live processes whose command line names `text`. */
const running = (text: string) => readdirSync('/proc').filter((n) => /^\d+$/.test(n)).filter((n) => {
  try {
    return readFileSync(`/proc/${n}/cmdline`, 'utf8').includes(text) && !/State:\s+Z/.test(readFileSync(`/proc/${n}/status`, 'utf8'));
  } catch {
    return false;
  }
});

t.test('a helper that hangs is killed after the bound; one whose daemon is killed -9 goes with it', async (t) => {
  const dir = tempDir(t, 'ibgw-tls-apart-');
  const hang = join(dir, 'hanging-helper.mjs');
  writeFileSync(hang, 'setInterval(() => {}, 1000);\n');
  await t.rejects(generateLocalTlsApart({ dir, hosts: [], validityDays: 30 }, hang, 500), /did not finish within 500 ms and was killed/);
  await waitFor(() => running(hang).length === 0, 3000, 'the hanging helper and its watcher gone');

  const apart = JSON.stringify(join(packageRoot, 'dist', 'daemon', 'tls', 'generate-process.js'));
  const host = spawn(process.execPath, ['--input-type=module', '-e', `const { generateLocalTlsApart } = await import(${apart}); console.log('go'); await generateLocalTlsApart({ dir: ${JSON.stringify(dir)}, hosts: [], validityDays: 30 }, ${JSON.stringify(hang)});`], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } });
  await waitFor(() => running(hang).length >= 2, 5000, 'the helper and its watcher running');
  host.kill('SIGKILL');
  await waitFor(() => running(hang).length === 0, 5000, 'the helper gone with its daemon');
  t.pass('nothing left');
});
