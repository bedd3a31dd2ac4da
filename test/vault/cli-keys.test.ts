/**
 * The real CLI (dist/daemon/cli.js) in a temp working directory with its own .env: keys
 * generate (and npm run generate-keys), and the setup guide's IBKR_* variables.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { CLI } from '../helpers/daemon.js';
import { tempDir, writeDotEnv } from '../helpers/vault.js';
import { cli, CLEAN_ENV } from '../helpers/vault-cli.js';

t.test('keys generate prints a key in .env form; --write makes the 0600 key file once', async (t) => {
  const dir = tempDir(t);
  const [r, again] = await Promise.all([cli(dir, ['keys', 'generate']), cli(dir, ['keys', 'generate', '--json'])]);
  t.equal(r.code, 0, r.stderr);
  const line = r.stdout.split('\n').find((l) => l.startsWith('ENCRYPTION_KEY='));
  t.match(line, /^ENCRYPTION_KEY=[0-9a-f]{64}$/);
  t.match(r.stdout, /^# ibgw vault key [0-9a-f]{8} /);
  t.not(JSON.parse(again.stdout).ENCRYPTION_KEY, line!.slice(15), 'a new key every time');

  writeFileSync(join(dir, 'ibgw.yaml'), 'dataDir: data\n');
  const write = await cli(dir, ['keys', 'generate', '--write', '--config', 'ibgw.yaml']);
  t.equal(write.code, 0, write.stderr);
  const keyFile = join(dir, 'data', 'vault.key');
  t.equal(statSync(keyFile).mode & 0o777, 0o600);
  t.notMatch(write.stdout, readFileSync(keyFile, 'utf8').trim(), 'the written key is not printed');
  const twice = await cli(dir, ['keys', 'generate', '--write', '--config', 'ibgw.yaml']);
  t.equal(twice.code, 1);
  t.match(twice.stderr, 'use ibgw keys rotate');

  const npm = spawnSync('npm', ['run', '--silent', 'generate-keys'], { cwd: join(CLI, '../../..'), encoding: 'utf8', env: CLEAN_ENV });
  t.match(npm.stdout, /^ENCRYPTION_KEY=[0-9a-f]{64}$/m, 'npm run generate-keys');
});

t.test('.env maps IBKR_CLIENT_PORTAL_PORT and checks IBKR_API_ENDPOINT at the CLI and daemon start', async (t) => {
  const dir = tempDir(t, 'ibgw-vault-cli-');
  writeDotEnv(dir, ['IBKR_CLIENT_PORTAL_PORT=5001', 'IBKR_API_ENDPOINT=https://localhost:5000/v1/api']);
  const r = await cli(dir, ['credentials', 'show']);
  t.equal(r.code, 78, 'a config error');
  t.match(r.stderr, 'https://localhost:5000/v1/api');
  t.match(r.stderr, 'https://127.0.0.1:5001');
  t.match(r.stderr, 'IBGW_CONFIG_INVALID');
  writeDotEnv(dir, ['IBKR_CLIENT_PORTAL_PORT=5001', 'IBKR_API_ENDPOINT=https://localhost:5001/v1/api']);
  const ok = await cli(dir, ['credentials', 'show', '--json']);
  t.equal(ok.code, 0, ok.stderr);
  const exported = await cli(dir, ['credentials', 'show'], { env: { IBKR_API_ENDPOINT: 'https://127.0.0.1:5001' } });
  t.equal(exported.code, 0, 'the environment wins over .env');
});
