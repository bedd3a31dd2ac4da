import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { loadDotEnv } from '../../daemon/config/dotenv.js';
import { loadConfig } from '../../daemon/config/load.js';
import { isIbgwError } from '../../daemon/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

function expectConfigError(t: Test, yaml: string, key: string, code = 'IBGW_CONFIG_INVALID') {
  const d = tempDir(t, 'ibgw-config-');
  const file = join(d, 'c.yaml');
  writeFileSync(file, yaml);
  try {
    loadConfig({ file, env: {}, cwd: d });
    t.fail(`expected an error for ${key}`);
  } catch (err) {
    t.ok(isIbgwError(err), 'an IbgwError');
    if (!isIbgwError(err)) return;
    t.equal(err.code, code);
    if (code === 'IBGW_CONFIG_INVALID') t.equal(err.details?.key, key, `names ${key}`);
    t.match(err.message, file, 'names the file');
  }
}

t.test('the embedded default loads and resolves dataDir against the cwd', async (t) => {
  const d = tempDir(t, 'ibgw-config-');
  const { config, file } = loadConfig({ env: {}, cwd: d });
  t.equal(file, null);
  t.equal(config.dataDir, join(d, 'data'));
  t.equal(config.api.host, '127.0.0.1');
  t.equal(config.gateway.kind, 'simulated');
  t.same(config.gateway.command, null);
  t.equal(config.gateway.port, 5000);
});

t.test('a user file merges over the default; relative paths resolve from its folder', async (t) => {
  const d = tempDir(t, 'ibgw-config-');
  const file = join(d, 'ibgw.yaml');
  writeFileSync(file, 'dataDir: state\ngateway:\n  kind: command\n  command: ["./run.sh", "x"]\n  cwd: gw\n  port: 5999\n');
  const { config } = loadConfig({ file, env: {}, cwd: '/' });
  t.equal(config.dataDir, join(d, 'state'));
  t.equal(config.gateway.cwd, join(d, 'gw'));
  t.same(config.gateway.command, ['./run.sh', 'x']);
  t.equal(config.gateway.port, 5999);
  t.equal(config.gateway.startTimeoutMs, 30000, 'untouched keys keep their default');
});

t.test('env overrides win over the file', async (t) => {
  const d = tempDir(t, 'ibgw-config-');
  const file = join(d, 'ibgw.yaml');
  writeFileSync(file, 'api:\n  port: 6000\n');
  const { config } = loadConfig({ file, env: { IBGW_API_HOST: '127.0.0.2', IBGW_API_PORT: '6123', IBGW_DATA_DIR: 'elsewhere' }, cwd: d });
  t.equal(config.api.host, '127.0.0.2');
  t.equal(config.api.port, 6123);
  t.equal(config.dataDir, join(d, 'elsewhere'));
  t.throws(() => loadConfig({ env: { IBGW_API_PORT: 'eighty' }, cwd: d }), { code: 'IBGW_CONFIG_INVALID' });
});

t.test('bad files name the key path and what is wrong', async (t) => {
  expectConfigError(t, 'gateway:\n  prot: 5000\n', 'gateway.prot');
  expectConfigError(t, 'gateway:\n  port: "five"\n', 'gateway.port');
  expectConfigError(t, 'gateway:\n  restart:\n    backoff:\n      initialMs: -5\n', 'gateway.restart.backoff.initialMs');
  expectConfigError(t, 'gateway:\n  kind: tws\n', 'gateway.kind');
  expectConfigError(t, 'gateway:\n  kind: command\n', 'gateway.command');
  expectConfigError(t, 'session:\n  resets:\n    daily:\n      start: "25:00"\n      durationMin: 10\n      timeZone: America/New_York\n', 'session.resets.daily.start');
  expectConfigError(t, 'session:\n  resets:\n    daily:\n      start: "01:00"\n      durationMin: 10\n      timeZone: Mars/Olympus\n', 'session.resets.daily.timeZone');
  expectConfigError(t, 'gateway: [1, 2]\n', 'gateway');
  expectConfigError(t, 'gateway:\n  port: [\n', '', 'IBGW_CONFIG_PARSE');
});

t.test('gateway.simulator: the simulator\'s own schema, embedded', async (t) => {
  const { config } = loadConfig({ env: {}, cwd: tempDir(t, 'ibgw-config-') });
  t.match(config.gateway.simulator.users.map((u) => u.twoFactor), ['none', 'push', 'totp']);
  t.equal(config.gateway.simulator.secondFactorTimeoutMs, 180_000);
  const user = (extra: string) => `gateway:\n  simulator:\n    users:\n      - username: u\n        password: p\n        accounts: [U1]\n        paper: false\n${extra}`;
  expectConfigError(t, user('        twoFactor: approve\n'), 'gateway.simulator.users.0.twoFactor');
  expectConfigError(t, user('        twoFactor: totp\n'), 'gateway.simulator.users.0.totpSecret');
  expectConfigError(t, user('        twoFactor: totp\n        totpSecret: "not base32!"\n'), 'gateway.simulator.users.0.totpSecret');
  expectConfigError(t, 'gateway:\n  simulator:\n    secondFactorTimeoutMs: 0\n', 'gateway.simulator.secondFactorTimeoutMs');
  const file = join(tempDir(t, 'ibgw-config-'), 'ok.yaml');
  writeFileSync(file, user('        twoFactor: totp\n        totpSecret: JBSWY3DPEHPK3PXP\n'));
  t.match(loadConfig({ file, env: {}, cwd: '/' }).config.gateway.simulator.users, [{ username: 'u', twoFactor: 'totp', totpSecret: 'JBSWY3DPEHPK3PXP' }]);
});

t.test('a missing file is a read error naming it', async (t) => {
  t.throws(() => loadConfig({ file: '/nonexistent/ibgw.yaml', env: {} }), { code: 'IBGW_CONFIG_READ' });
});

t.test('the setup guide\'s IBKR_CLIENT_PORTAL_PORT sets gateway.port; IBKR_API_ENDPOINT must point at the gateway', async (t) => {
  const d = tempDir(t, 'ibgw-config-');
  t.equal(loadConfig({ env: { IBKR_CLIENT_PORTAL_PORT: '5001' }, cwd: d }).config.gateway.port, 5001);
  t.throws(() => loadConfig({ env: { IBKR_CLIENT_PORTAL_PORT: 'five' }, cwd: d }), { code: 'IBGW_CONFIG_INVALID', details: { key: 'gateway.port' } });
  t.throws(() => loadConfig({ env: { IBKR_CLIENT_PORTAL_PORT: '70000' }, cwd: d }), { code: 'IBGW_CONFIG_INVALID' });
  for (const endpoint of ['https://localhost:5000/v1/api', 'https://127.0.0.1:5000', 'https://LOCALHOST:5000/v1/api/']) {
    t.equal(loadConfig({ env: { IBKR_API_ENDPOINT: endpoint }, cwd: d }).config.gateway.port, 5000, `${endpoint} matches`);
  }
  t.ok(loadConfig({ env: { IBKR_CLIENT_PORTAL_PORT: '5443', IBKR_API_ENDPOINT: 'https://localhost:5443/v1/api' }, cwd: d }));
  for (const endpoint of ['https://localhost:5001/v1/api', 'http://localhost:5000/v1/api', 'https://gateway.example:5000/v1/api', 'https://localhost:5000/portal', 'not a url']) {
    try {
      loadConfig({ env: { IBKR_API_ENDPOINT: endpoint }, cwd: d });
      t.fail(`${endpoint} should be refused`);
    } catch (err) {
      t.ok(isIbgwError(err) && err.code === 'IBGW_CONFIG_INVALID', endpoint);
      t.match((err as Error).message, endpoint.includes(' ') ? '"not a url"' : endpoint, 'names the endpoint');
      t.match((err as Error).message, 'https://127.0.0.1:5000', 'and the gateway\'s base URL');
    }
  }
  const file = join(d, 'ibgw.yaml');
  writeFileSync(file, 'gateway:\n  host: 10.0.0.5\n  port: 5002\n');
  t.throws(() => loadConfig({ file, env: { IBKR_API_ENDPOINT: 'https://localhost:5002/v1/api' }, cwd: d }), { code: 'IBGW_CONFIG_INVALID' }, 'localhost is not 10.0.0.5');
  t.ok(loadConfig({ file, env: { IBKR_API_ENDPOINT: 'https://10.0.0.5:5002/v1/api' }, cwd: d }));
});

t.test('.env in the working directory fills the environment; exported variables win; the key stays out', async (t) => {
  const d = tempDir(t, 'ibgw-config-');
  t.equal(loadDotEnv(d, {}), null, 'no .env, nothing to do');
  writeFileSync(join(d, '.env'), [
    '# comment', 'IBKR_CLIENT_PORTAL_PORT=5001', 'IBGW_API_PORT="6001"', 'export IBGW_DATA_DIR=state',
    'ENCRYPTION_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'ENCRYPTION_IV=abc', '',
  ].join('\n'), { mode: 0o600 });
  const env: NodeJS.ProcessEnv = { IBGW_API_PORT: '7001' };
  const loaded = loadDotEnv(d, env);
  t.same(loaded?.loaded.sort(), ['IBGW_DATA_DIR', 'IBKR_CLIENT_PORTAL_PORT']);
  t.same(env, { IBGW_API_PORT: '7001', IBKR_CLIENT_PORTAL_PORT: '5001', IBGW_DATA_DIR: 'state' }, 'the key and IV are read by the vault from the file, never put in the environment children inherit');
  const { config } = loadConfig({ env, cwd: d });
  t.equal(config.gateway.port, 5001);
  t.equal(config.api.port, 7001);
  t.equal(config.dataDir, join(d, 'state'));
});

t.test('vault.keyFile resolves like other paths', async (t) => {
  const d = tempDir(t, 'ibgw-config-');
  t.equal(loadConfig({ env: {}, cwd: d }).config.vault.keyFile, null);
  const file = join(d, 'ibgw.yaml');
  writeFileSync(file, 'vault:\n  keyFile: keys/vault.key\n');
  t.equal(loadConfig({ file, env: {}, cwd: '/' }).config.vault.keyFile, join(d, 'keys/vault.key'));
});
