import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { ERR_CONFIG_INVALID, ERR_GATEWAY_HOME, ERR_LAUNCH_NOT_FOUND } from '../../daemon/errors.js';
import { createGateway } from '../../daemon/gateway/index.js';
import { seedTls, shippedConf, testConfig } from '../fixtures/gateway/config.js';
import { packageRoot } from '../../daemon/package-root.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('simulated: files, modes, argv, and a keystore reused across launches', async (t) => {
  const dir = tempDir(t);
  const gw = createGateway(testConfig(dir, { gateway: { port: 5123, host: 'localhost' } }), { dataDir: dir, watch: false });
  t.teardown(() => gw.close());
  const spec = await gw.launch();
  const home = join(dir, 'gateway');
  t.same(spec, {
    command: [process.execPath, join(packageRoot, 'dist/scripts/sim/main.js'), 'root/conf.yaml', '--sim-config', join(home, 'sim-config.json')],
    cwd: home, env: {}, host: 'localhost', port: 5123,
  });
  const conf = readFileSync(join(home, 'root/conf.yaml'), 'utf8');
  t.match(conf, /\n {4}listenPort: 5123\n/);
  t.match(conf, `sslCert: "${join(dir, 'tls/keystore.p12')}"`);
  const simConfig = JSON.parse(readFileSync(join(home, 'sim-config.json'), 'utf8'));
  t.match(simConfig, { users: [{ username: 'demo' }], control: { port: 0, infoFile: join(home, 'sim-control.json') } });
  t.ok(simConfig.control.token.length > 20);
  for (const f of ['gateway/root/conf.yaml', 'gateway/sim-config.json', 'tls/keystore.json', 'tls/keystore.p12', 'tls/ca-key.pem']) {
    t.equal(statSync(join(dir, f)).mode & 0o777, 0o600, `${f} is 0600`);
  }
  t.equal(gw.baseUrl(), 'https://localhost:5123');
  t.equal(await gw.ca(), readFileSync(join(dir, 'tls/ca.pem'), 'utf8'));
  const info = gw.info();
  t.match(info, { kind: 'simulated', home, confPath: join(home, 'root/conf.yaml'), tls: { mode: 'generate', caPath: join(dir, 'tls/ca.pem'), sans: ['localhost', '127.0.0.1'] } });
  const { fingerprint } = info.tls!;

  // A second launch and a new daemon process (new handle) both keep the keystore.
  await gw.launch();
  t.equal(gw.info().tls!.fingerprint, fingerprint);
  const again = createGateway(testConfig(dir, { gateway: { port: 5123, host: 'localhost' } }), { dataDir: dir, watch: false });
  t.teardown(() => again.close());
  await again.launch();
  t.equal(again.info().tls!.fingerprint, fingerprint, 'no regeneration on restart');
  t.equal(readFileSync(join(home, 'root/conf.yaml'), 'utf8'), conf, 'conf unchanged');

  // A new host to cover means a new certificate, signed by the same CA.
  const wider = createGateway(testConfig(dir, { gateway: { port: 5123, host: 'localhost' }, tls: { hosts: ['gw.internal'] } }), { dataDir: dir, watch: false });
  t.teardown(() => wider.close());
  await wider.launch();
  t.not(wider.info().tls!.fingerprint, fingerprint);
  t.same(wider.info().tls!.sans, ['localhost', '127.0.0.1', 'gw.internal']);
  t.equal(await wider.ca(), await gw.ca(), 'same CA');
  t.equal(readFileSync(join(home, 'root/conf.yaml'), 'utf8'), conf, 'same password: the conf does not change');
});

t.test('a user argv with a managed kind: conf managed, argv theirs', async (t) => {
  const dir = tempDir(t);
  const gw = createGateway(testConfig(dir, { tls: { mode: 'gateway' }, gateway: { port: 5999, command: ['./wrapper.sh', '--x'], cwd: '/somewhere' } }), { dataDir: dir, watch: false });
  t.teardown(() => gw.close());
  const spec = await gw.launch();
  t.same(spec.command, ['./wrapper.sh', '--x']);
  t.equal(spec.cwd, '/somewhere');
  t.match(readFileSync(join(dir, 'gateway/root/conf.yaml'), 'utf8'), /listenPort: 5999/);
  t.equal(gw.info().customCommand, true);
});

t.test('command: the argv as given, nothing managed', async (t) => {
  const dir = tempDir(t);
  const gw = createGateway(testConfig(dir, { gateway: { kind: 'command', command: ['/bin/echo', 'hi'], env: { A: '1' } } }), { dataDir: dir });
  t.same(await gw.launch(), { command: ['/bin/echo', 'hi'], cwd: dir, env: { A: '1' }, host: '127.0.0.1', port: 5000 });
  t.equal(gw.conf, null);
  t.equal(await gw.ca(), null);
  t.equal(gw.redactLine('password=abc'), 'password=[redacted]');
  const none = createGateway(testConfig(dir, { gateway: { kind: 'command' } }), { dataDir: dir });
  await t.rejects(none.launch(), { code: ERR_CONFIG_INVALID.code });
});

function fakeClientportal(t: { teardown(fn: () => unknown): void }) {
  const home = tempDir(t, 'ibgw-cpgw-');
  for (const d of ['bin', 'root', 'dist', 'build/lib/runtime']) mkdirSync(join(home, d), { recursive: true });
  writeFileSync(join(home, 'root/conf.yaml'), shippedConf());
  writeFileSync(join(home, 'root/logback.xml'), '<configuration/>\n');
  writeFileSync(join(home, 'root/vertx.jks'), 'jks');
  writeFileSync(join(home, 'dist/ibgroup.web.core.iblink.router.clientportal.gw.jar'), 'jar');
  writeFileSync(join(home, 'dist/other.jar'), 'jar');
  const bin = tempDir(t, 'ibgw-java-');
  // A fake java that records its argv and cwd.
  writeFileSync(join(bin, 'java'), `#!/bin/sh\npwd > "${bin}/cwd"\nfor a in "$@"; do echo "$a"; done > "${bin}/argv"\n`);
  chmodSync(join(bin, 'java'), 0o755);
  return { home, bin };
}

t.test('clientportal: java launched directly with the managed conf folder first on the classpath', async (t) => {
  const dir = tempDir(t);
  const { home, bin } = fakeClientportal(t);
  const gw = createGateway(testConfig(dir, { tls: { mode: 'gateway' }, gateway: { kind: 'clientportal', home, env: { PATH: `${bin}:/usr/bin:/bin` } } }), { dataDir: dir, watch: false });
  t.teardown(() => gw.close());
  const spec = await gw.launch();
  const confDir = join(dir, 'gateway/conf');
  t.same(spec.command, [
    join(bin, 'java'), '-server', '-Dvertx.disableDnsResolver=true', '-Djava.net.preferIPv4Stack=true',
    '-Dvertx.logger-delegate-factory-class-name=io.vertx.core.logging.SLF4JLogDelegateFactory',
    '-cp', `${confDir}:dist/ibgroup.web.core.iblink.router.clientportal.gw.jar:build/lib/runtime/*`,
    'ibgroup.web.core.clientportal.gw.GatewayStart', '--conf', 'conf.yaml',
  ]);
  t.equal(spec.cwd, home);
  t.equal(readFileSync(join(confDir, 'logback.xml'), 'utf8'), '<configuration/>\n');
  t.equal(readFileSync(join(confDir, 'conf.yaml'), 'utf8'), shippedConf());
  t.equal(readFileSync(join(confDir, 'vertx.jks'), 'utf8'), 'jks', 'tls mode gateway: the relative sslCert run.sh found on its classpath is staged beside the conf');
  t.equal(gw.info().templatePath, join(home, 'root/conf.yaml'));
  execFileSync(spec.command[0], spec.command.slice(1), { cwd: spec.cwd });
  t.equal(readFileSync(join(bin, 'cwd'), 'utf8').trim(), home);
  t.same(readFileSync(join(bin, 'argv'), 'utf8').trim().split('\n'), spec.command.slice(1), 'argv survives exec unchanged');

  const nojava = createGateway(testConfig(dir, { tls: { mode: 'gateway' }, gateway: { kind: 'clientportal', home, env: { PATH: '/nonexistent', JAVA_HOME: '/nonexistent' } } }), { dataDir: dir, watch: false });
  t.teardown(() => nojava.close());
  await t.rejects(nojava.launch(), { code: ERR_LAUNCH_NOT_FOUND.code });
});

t.test('clientportal: a folder that is not a gateway is named precisely', async (t) => {
  const dir = tempDir(t);
  const { home } = fakeClientportal(t);
  const cases: Array<[string | null, RegExp]> = [[null, /not set/], [join(home, 'bin'), /bin is missing/]];
  for (const [h, msg] of cases) {
    const gw = createGateway(testConfig(dir, { gateway: { kind: 'clientportal', home: h } }), { dataDir: dir, watch: false });
    await t.rejects(gw.launch(), { code: ERR_GATEWAY_HOME.code, message: msg });
  }
  execFileSync('rm', ['-r', join(home, 'dist')]);
  const gw = createGateway(testConfig(dir, { gateway: { kind: 'clientportal', home } }), { dataDir: dir, watch: false });
  await t.rejects(gw.launch(), { code: ERR_GATEWAY_HOME.code, message: /dist is missing/ });
});

t.test('redactLine: key patterns and the literal password', async (t) => {
  const dir = tempDir(t);
  await seedTls(dir);
  const gw = createGateway(testConfig(dir), { dataDir: dir, watch: false });
  t.teardown(() => gw.close());
  await gw.launch();
  const pwd = readFileSync(join(dir, 'gateway/root/conf.yaml'), 'utf8').match(/sslPwd: "(.+)"/)![1];
  const lines = [
    `{ip2loc=US, listenPort=5000, sslCert=keystore.p12, sslPwd=${pwd}, authDelay=3000}`,
    `    sslPwd: "${pwd}"`,
    `{"sslPwd":"${pwd}","x":1}`,
    `opening keystore with ${pwd} failed`,
    `login user=demo password=demo1234 ok`,
    `{"passphrase": "s3cret"}`,
    `demo1234 appears alone`,
  ];
  for (const line of lines) {
    const out = gw.redactLine(line);
    t.notOk(out.includes(pwd) || out.includes('demo1234') || out.includes('s3cret'), out);
    t.match(out, /\[redacted\]/);
  }
  t.equal(gw.redactLine('nothing secret here'), 'nothing secret here');
});

t.test('a restart\'s launch rewrites nothing that holds, and notices what changed', async (t) => {
  const dir = tempDir(t);
  const gw = createGateway(testConfig(dir, { gateway: { port: 5124, host: 'localhost' } }), { dataDir: dir, watch: false });
  t.teardown(() => gw.close());
  await gw.launch();
  const home = join(dir, 'gateway');
  const files = ['gateway/root/conf.yaml', 'gateway/sim-config.json', 'tls/keystore.p12', 'tls/keystore.json'];
  // Every write is atomic (temp + rename): a file written again has a new inode.
  const inodes = () => files.map((f) => statSync(join(dir, f)).ino);
  const first = inodes();
  const { fingerprint } = gw.info().tls!;

  await gw.launch();
  t.same(inodes(), first, 'nothing written again: conf, sim-config and keystore all still hold');

  chmodSync(join(home, 'sim-config.json'), 0o644);
  await gw.launch();
  t.equal(statSync(join(home, 'sim-config.json')).mode & 0o777, 0o600, 'a loosened sim-config (it holds passwords) is written again, 0600');

  const conf = readFileSync(join(home, 'root/conf.yaml'), 'utf8');
  writeFileSync(join(home, 'root/conf.yaml'), conf.replace(/listenPort: 5124/, 'listenPort: 6000'));
  await gw.launch();
  t.match(readFileSync(join(home, 'root/conf.yaml'), 'utf8'), /listenPort: 5124/, 'an outside edit is seen: the daemon\'s port is back');

  writeFileSync(join(dir, 'tls/keystore.p12'), 'not a keystore');
  await gw.launch();
  t.not(gw.info().tls!.fingerprint, fingerprint, 'a damaged keystore is seen and replaced, not trusted from memory');
  t.not(readFileSync(join(dir, 'tls/keystore.p12'), 'utf8'), 'not a keystore');
});
