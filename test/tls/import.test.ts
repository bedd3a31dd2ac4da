import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ERR_TLS_IMPORT } from '../../daemon/errors.js';
import { createGateway } from '../../daemon/gateway/index.js';
import { createCertificateAuthority } from '../../daemon/tls/certificate-authority.js';
import { checkImport } from '../../daemon/tls/import.js';
import { inspectCertificate } from '../../daemon/tls/inspect.js';
import { generateRsaKey } from '../../daemon/tls/keys.js';
import { fromPkcs12, toPkcs12 } from '../../daemon/tls/pkcs12.js';
import { createServerCertificate } from '../../daemon/tls/server-certificate.js';
import { testConfig } from '../fixtures/gateway/config.js';
import { tempDir } from '../helpers/temp-dir.js';

const DAY = 86_400_000;
const ca = createCertificateAuthority();
const good = createServerCertificate(ca, { hosts: ['gw.example'] });

t.test('PEM import: key must match, dates must hold, SANs must cover', async (t) => {
  const ok = checkImport({ certPem: good.certPem + ca.certPem, keyPem: good.keyPem }, { hosts: ['gw.example'] });
  t.equal(ok.chainPem.length, 2);
  t.equal(inspectCertificate(ok.chainPem[0]).subject, 'CN=localhost, O=ibgw-supervisor');
  const reordered = checkImport({ certPem: ca.certPem + good.certPem, keyPem: good.keyPem });
  t.equal(inspectCertificate(reordered.chainPem[0]).fingerprint, inspectCertificate(good.certPem).fingerprint, 'the leaf is the one the key belongs to');

  const other = generateRsaKey();
  t.throws(() => checkImport({ certPem: good.certPem, keyPem: other.keyPem }), { code: ERR_TLS_IMPORT.code, message: /does not belong/ });
  const expired = createServerCertificate(ca, { validityDays: 30, now: new Date(Date.now() - 400 * DAY) });
  t.throws(() => checkImport({ certPem: expired.certPem, keyPem: expired.keyPem }), { code: ERR_TLS_IMPORT.code, message: /expired on/ });
  const future = createServerCertificate(ca, { now: new Date(Date.now() + 2 * DAY) });
  t.throws(() => checkImport({ certPem: future.certPem, keyPem: future.keyPem }), { code: ERR_TLS_IMPORT.code, message: /not valid before/ });
  t.throws(() => checkImport({ certPem: good.certPem, keyPem: good.keyPem }, { hosts: ['other.example', '10.1.2.3'] }), {
    code: ERR_TLS_IMPORT.code, message: /do not cover other\.example, 10\.1\.2\.3/,
  });
  t.throws(() => checkImport({ certPem: good.certPem }), { code: ERR_TLS_IMPORT.code });
  t.throws(() => checkImport({ certPem: 'junk', keyPem: good.keyPem }), { code: ERR_TLS_IMPORT.code, message: /no PEM certificate/ });
});

t.test('PKCS#12 import: passphrase checked, contents checked', async (t) => {
  const pfx = toPkcs12(good.key, [good.cert, ca.cert], 'pfx-pass');
  const ok = checkImport({ pfx, passphrase: 'pfx-pass' }, { hosts: ['gw.example'] });
  t.equal(ok.chainPem.length, 2);
  t.throws(() => checkImport({ pfx, passphrase: 'wrong' }), { code: ERR_TLS_IMPORT.code, message: /wrong passphrase/ });
  const expired = createServerCertificate(ca, { validityDays: 30, now: new Date(Date.now() - 400 * DAY) });
  t.throws(() => checkImport({ pfx: toPkcs12(expired.key, [expired.cert], 'p'), passphrase: 'p' }), { code: ERR_TLS_IMPORT.code, message: /expired/ });
});

t.test('tls.mode import: the gateway gets a PKCS#12 keystore, clients the imported chain', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'cert.pem'), good.certPem + ca.certPem);
  writeFileSync(join(dir, 'key.pem'), good.keyPem);
  const gw = createGateway(testConfig(dir, { tls: { mode: 'import', import: { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') } } }), { dataDir: dir, watch: false });
  t.teardown(() => gw.close());
  await gw.launch();
  const conf = readFileSync(join(dir, 'gateway/root/conf.yaml'), 'utf8');
  const [, keystore, password] = conf.match(/sslCert: "(.+)"\n {4}sslPwd: "(.+)"/)!;
  t.equal(keystore, join(dir, 'tls/imported/keystore.p12'));
  const contents = fromPkcs12(readFileSync(keystore), password);
  t.equal(contents.certs.length, 2);
  t.equal(await gw.ca(), (good.certPem + ca.certPem).replace(/\r\n/g, '\n'));
  t.match(gw.info().tls, { mode: 'import', caPath: join(dir, 'tls/imported/chain.pem'), sans: ['localhost', '127.0.0.1', 'gw.example'] });
  await gw.launch();
  t.equal(readFileSync(join(dir, 'gateway/root/conf.yaml'), 'utf8'), conf, 'unchanged files are not re-imported');

  writeFileSync(join(dir, 'key.pem'), generateRsaKey().keyPem);
  const bad = createGateway(testConfig(dir, { tls: { mode: 'import', import: { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') } } }), { dataDir: dir, watch: false });
  t.teardown(() => bad.close());
  await t.rejects(bad.launch(), { code: ERR_TLS_IMPORT.code });
});
