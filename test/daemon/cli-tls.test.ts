/**
 * `ibgw tls` as an admin runs it: separate CLI processes talking to a real daemon process
 * (which supervises the real simulated gateway), reading the admin token from its file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ERR_BAD_REQUEST, ERR_TLS_IMPORT } from '../../daemon/errors.js';
import { createCertificateAuthority } from '../../daemon/tls/certificate-authority.js';
import { createServerCertificate } from '../../daemon/tls/server-certificate.js';
import { restartedFor, runCli, startDaemonProcess } from '../helpers/daemon.js';
import { tempDir } from '../helpers/temp-dir.js';

const d = await startDaemonProcess(t);
const work = tempDir(t, 'ibgw-cli-files-');
const ibgw = (...args: string[]) => runCli([...args, '--config', d.configFile]);

t.test('ibgw tls: show, ca, check, renew', async (t) => {
  const show = await ibgw('tls', 'show');
  t.equal(show.code, 0, show.stderr);
  t.match(show.stdout, /^mode\s+generate$/m);
  const before = /^fingerprint\s+(\S+)$/m.exec(show.stdout)?.[1];
  t.ok(before, 'a fingerprint is shown');

  const caFile = join(work, 'ca.pem');
  const ca = await ibgw('tls', 'ca', '--out', caFile);
  t.equal(ca.code, 0, ca.stderr);
  t.equal(readFileSync(caFile, 'utf8'), (await fetch(`${d.apiUrl}/api/v1/tls/ca.pem`).then((r) => r.text())), 'the CA the API serves');
  t.match(readFileSync(caFile, 'utf8'), /^-----BEGIN CERTIFICATE-----/);

  const other = createCertificateAuthority();
  const cert = createServerCertificate(other);
  writeFileSync(join(work, 'cert.pem'), cert.certPem);
  writeFileSync(join(work, 'key.pem'), cert.keyPem);
  writeFileSync(join(work, 'wrong-key.pem'), other.keyPem);
  const check = await ibgw('tls', 'check', '--cert', join(work, 'cert.pem'), '--key', join(work, 'key.pem'));
  t.equal(check.code, 0, check.stderr);
  t.match(check.stdout, /usable for tls.mode import/);
  const mismatch = await ibgw('tls', 'check', '--cert', join(work, 'cert.pem'), '--key', join(work, 'wrong-key.pem'));
  t.equal(mismatch.code, 1);
  t.match(mismatch.stderr, ERR_TLS_IMPORT.code);
  const usage = await ibgw('tls', 'check', '--cert', join(work, 'cert.pem'));
  t.match([usage.code, usage.stderr], [1, ERR_BAD_REQUEST.code]);

  const pid = (await d.waitGateway('running')).gateway.pid as number;
  const renew = await ibgw('tls', 'renew');
  t.equal(renew.code, 0, renew.stderr);
  t.match(renew.stdout, /renewed; the gateway restarts to serve it/);
  const after = /^fingerprint\s+(\S+)$/m.exec(renew.stdout)?.[1];
  t.ok(after && after !== before, 'a new certificate');
  await restartedFor(t, d, 'tls renewed via CLI', pid);
  t.match((await ibgw('tls', 'show')).stdout, new RegExp(`^fingerprint\\s+${after!.replace(/[:]/g, ':')}$`, 'm'), 'show serves the new one');
});
