import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ERR_CONF_INVALID, ERR_CONF_KEY_REJECTED, ERR_CONF_VERSION_NOT_FOUND } from '../../daemon/errors.js';
import { createGateway } from '../../daemon/gateway/index.js';
import { seedTls, shippedConf, testConfig } from '../fixtures/gateway/config.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('preview, apply, versions, rollback — never showing the keystore password', async (t) => {
  const dir = tempDir(t);
  await seedTls(dir);
  const restarts: string[] = [];
  const gw = createGateway(testConfig(dir, { conf: { keepVersions: 3 } }), { dataDir: dir, requestRestart: (r) => restarts.push(r), watch: false });
  t.teardown(() => gw.close());
  const conf = gw.conf!;
  await gw.launch();
  const confPath = join(dir, 'gateway/root/conf.yaml');
  const password = gw.tls!.passwords.values().next().value as string;
  const rendered = readFileSync(confPath, 'utf8');
  t.ok(rendered.includes(password), 'the managed conf holds the password');
  t.equal(statSync(confPath).mode & 0o777, 0o600);

  const current = await conf.current();
  t.notOk(current.includes(password), 'current() is redacted');
  t.match(current, /sslPwd: "\[redacted\]"/);

  // A user edits the redacted text: the daemon's own values are put back, and reported.
  const proposed = current.replace('authDelay: 3000', 'authDelay: 1500');
  const preview = await conf.preview(proposed);
  t.equal(preview.changed, true);
  t.same(preview.problems, []);
  t.same(preview.adjusted, ['sslPwd']);
  t.same(preview.diff.split('\n').filter((l) => /^[-+][^-+]/.test(l)), ['-    authDelay: 3000', '+    authDelay: 1500']);
  t.notOk(preview.diff.includes(password), 'the diff context is redacted');

  const applied = await conf.apply(proposed, 'faster login');
  t.match(applied, { changed: true, version: 1 });
  t.same(restarts, ['faster login']);
  t.equal(readFileSync(confPath, 'utf8'), rendered.replace('authDelay: 3000', 'authDelay: 1500'));

  await t.rejects(conf.apply(proposed + '    bogus: 1\n'), { code: ERR_CONF_KEY_REJECTED.code });
  t.match((await conf.preview(proposed + '    bogus: 1\n')).problems, [{ key: 'bogus' }]);
  await t.rejects(conf.apply('listenPort: [\n'), { code: ERR_CONF_INVALID.code });

  for (const delay of [1000, 900, 800]) await conf.apply(proposed.replace('authDelay: 1500', `authDelay: ${delay}`));
  const versions = await conf.versions();
  t.same(versions.map((v) => v.id), [4, 3, 2], 'newest first, only keepVersions kept');
  t.equal(versions[0].reason, 'conf changed');
  t.equal(statSync(join(dir, 'gateway/root/versions/4.yaml')).mode & 0o777, 0o600);
  await t.rejects(conf.rollback(1), { code: ERR_CONF_VERSION_NOT_FOUND.code }, 'pruned');

  const back = await conf.rollback(2);
  t.equal(back.changed, true);
  t.equal(readFileSync(confPath, 'utf8'), rendered.replace('authDelay: 3000', 'authDelay: 1500'));
  t.equal(restarts.at(-1), 'rollback to version 2');
  t.equal(JSON.stringify(gw.info()).includes(password), false, 'info() has no secret');
});

t.test('mode gateway: rendering the shipped template changes no byte', async (t) => {
  const dir = tempDir(t);
  const gw = createGateway(testConfig(dir, { tls: { mode: 'gateway' } }), { dataDir: dir, watch: false });
  t.teardown(() => gw.close());
  await gw.launch();
  t.equal(readFileSync(join(dir, 'gateway/root/conf.yaml'), 'utf8'), shippedConf());
  t.equal(await gw.ca(), null);
  t.match(gw.redactLine('{sslCert=vertx.jks, sslPwd=mywebapi}'), '{sslCert=vertx.jks, sslPwd=[redacted]}');
  t.equal(gw.redactLine('the password is mywebapi'), 'the password is [redacted]', 'the template password as a literal');
  const other = createGateway(testConfig(tempDir(t), { tls: { mode: 'gateway' }, gateway: { port: 5123 } }), { dataDir: dir, watch: false });
  t.teardown(() => other.close());
});
