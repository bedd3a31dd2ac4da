import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { ServiceEvent } from '../../daemon/events.js';
import { createGateway } from '../../daemon/gateway/index.js';
import { createCertificateAuthority } from '../../daemon/tls/certificate-authority.js';
import { createServerCertificate } from '../../daemon/tls/server-certificate.js';
import { testConfig } from '../fixtures/gateway/config.js';
import { tempDir } from '../helpers/temp-dir.js';

const DAY = 86_400_000;

t.test('expiry warnings at 30, 7 and 1 days, each once, remembered across restarts', async (t) => {
  const dir = tempDir(t);
  const ca = createCertificateAuthority();
  const cert = createServerCertificate(ca, { validityDays: 90 });
  writeFileSync(join(dir, 'cert.pem'), cert.certPem);
  writeFileSync(join(dir, 'key.pem'), cert.keyPem);
  const notAfter = cert.cert.validity.notAfter.getTime();
  let now = new Date(notAfter - 31 * DAY);
  const events: ServiceEvent[] = [];
  const config = testConfig(dir, { tls: { mode: 'import', import: { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') } } });
  const make = () => createGateway(config, { dataDir: dir, now: () => now, onEvent: (e) => events.push(e), watch: false });
  let gw = make();
  await gw.launch();
  const expiry = () => events.filter((e) => e.type === 'tls.expiry');
  await gw.tls!.checkExpiry();
  t.equal(expiry().length, 0, '31 days left: quiet');
  now = new Date(notAfter - 29.5 * DAY);
  await gw.tls!.checkExpiry();
  await gw.tls!.checkExpiry();
  t.match(expiry(), [{ level: 'warn', data: { threshold: 30, daysLeft: 29, renewable: false } }]);
  await gw.close();

  gw = make(); // a daemon restart
  await gw.launch();
  await gw.tls!.checkExpiry();
  t.equal(expiry().length, 1, 'not repeated after a restart');
  now = new Date(notAfter - 6.5 * DAY);
  await gw.tls!.checkExpiry();
  now = new Date(notAfter - 0.5 * DAY);
  await gw.tls!.checkExpiry();
  await gw.tls!.checkExpiry();
  t.same(expiry().map((e) => e.data!.threshold), [30, 7, 1]);
  t.equal(expiry()[2].level, 'error');
  t.notOk(JSON.stringify(events).includes(readFileSync(join(dir, 'tls/imported/keystore.json'), 'utf8').match(/"password": "(.+)"/)![1]), 'no password in events');
  await gw.close();
});

t.test('a generated certificate is renewed ahead of expiry, same CA, same password, restart requested', async (t) => {
  const dir = tempDir(t);
  let now = new Date();
  const events: ServiceEvent[] = [];
  const restarts: string[] = [];
  const gw = createGateway(testConfig(dir, { tls: { validityDays: 60, renewBeforeDays: 20 } }), {
    dataDir: dir, now: () => now, onEvent: (e) => events.push(e), requestRestart: (r) => restarts.push(r), watch: false,
  });
  t.teardown(() => gw.close());
  await gw.launch();
  const first = gw.info().tls!;
  const conf = readFileSync(join(dir, 'gateway/root/conf.yaml'), 'utf8');
  const caPem = await gw.ca();
  await gw.tls!.checkExpiry();
  t.same(restarts, [], 'far from expiry: nothing');
  now = new Date(new Date(first.notAfter!).getTime() - 19 * DAY);
  await gw.tls!.checkExpiry();
  t.same(restarts, ['tls renewed']);
  const renewed = gw.info().tls!;
  t.not(renewed.fingerprint, first.fingerprint);
  t.ok(new Date(renewed.notAfter!).getTime() > new Date(first.notAfter!).getTime());
  t.equal(await gw.ca(), caPem, 'clients that trust the CA keep working');
  t.ok(events.some((e) => e.type === 'tls.renewed'));
  t.match(events.filter((e) => e.type === 'tls.expiry'), [{ data: { threshold: 30 } }], 'the 30-day warning came before the renewal');
  await gw.launch();
  t.equal(readFileSync(join(dir, 'gateway/root/conf.yaml'), 'utf8'), conf, 'same keystore path and password: the conf is unchanged');
  t.equal(gw.info().tls!.fingerprint, renewed.fingerprint, 'the next launch serves the renewed certificate');
});
