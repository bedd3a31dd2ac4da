/**
 * `ibgw credentials` for real (dist/daemon/cli.js): typed on a terminal (script(1) gives it a
 * pseudo-terminal), and through a running daemon's API. Every byte it prints is searched for
 * the secrets.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { buildApp } from '../../daemon/api/app.js';
import type { ApiServices } from '../../daemon/api/services.js';
import { silentLogger } from '../../daemon/logger.js';
import { VaultService, type CredentialsChange } from '../../daemon/vault/vault-service.js';
import { CLI } from '../helpers/daemon.js';
import { waitFor } from '../../testkit/wait-for.js';
import { newKey, PASSWORD, tempDir, TOTP, writeDotEnv } from '../helpers/vault.js';
import { cli, CLEAN_ENV, noSecrets, workdir } from '../helpers/vault-cli.js';

t.test('on a terminal: the password and TOTP secret are not echoed', { skip: !existsSync('/usr/bin/script') && 'no script(1)' }, async (t) => {
  const w = workdir(t);
  // script(1) gives the CLI a real pseudo-terminal; answers are typed one prompt at a time, so
  // the terminal is in its no-echo mode when a secret is typed, as with a person.
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const child = spawn('script', ['-qec', [process.execPath, CLI, 'credentials', 'set', ...w.config].map(quote).join(' '), '/dev/null'], { cwd: w.dir, env: CLEAN_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  const answers: Array<[string, string]> = [['IBKR username: ', 'demo'], ['Password: ', PASSWORD], ['Password (again): ', PASSWORD], ['[paper]: ', 'live'], ['(empty if the account has none): ', TOTP]];
  for (const [prompt, answer] of answers) {
    await waitFor(() => out.includes(prompt), 20_000, `prompt ${prompt}: ${out}`);
    child.stdin.write(`${answer}\r`);
  }
  await waitFor(() => out.includes('credentials stored'), 20_000, 'the answer');
  child.stdin.end();
  t.equal(await exited, 0);
  t.match(out, 'demo', 'the username is echoed');
  t.notMatch(out, PASSWORD, 'the password is not');
  t.notMatch(out, TOTP, 'nor the TOTP secret');
  const show = await cli(w.dir, ['credentials', 'show', '--json', ...w.config]);
  t.match(JSON.parse(show.stdout), { username: 'demo', mode: 'live', hasTotp: true });
});

t.test('with a daemon running, the CLI goes through its API and the daemon sees the change', async (t) => {
  const dir = tempDir(t, 'ibgw-vault-cli-');
  const dataDir = join(dir, 'data');
  const key = newKey();
  const changes: CredentialsChange[] = [];
  const vault = new VaultService({ dataDir, dotEnvPath: null, env: { ENCRYPTION_KEY: key.hex } });
  vault.on('credentials-changed', (c) => changes.push(c));
  const app = await buildApp({ services: { adminToken: 'cli-test-token', vault } as unknown as ApiServices, logger: silentLogger, auth: { maxFailures: 100, failureWindowMs: 60_000, failureDelayMs: 0 } });
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  // This test's own node process stands in as the daemon holding the data dir.
  writeFileSync(join(dir, 'ibgw.yaml'), 'dataDir: data\n');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'daemon.pid'), `${process.pid}\n`);
  // The API address and token come from the CLI's .env: it is loaded before the config. No key in it:
  // the CLI itself cannot open the vault, so a success proves the daemon did the work.
  writeDotEnv(dir, [`IBGW_API_PORT=${port}`, 'IBGW_ADMIN_TOKEN=cli-test-token']);
  const config = ['--config', join(dir, 'ibgw.yaml')];

  const set = await cli(dir, ['credentials', 'set', '--username', 'demo', '--password-stdin', '--totp-secret-stdin', ...config], { input: `${PASSWORD}\n${TOTP}\n` });
  t.equal(set.code, 0, set.stderr);
  t.match(set.stdout, `vault          daemon pid ${process.pid}`);
  t.match(changes, [{ action: 'set', username: 'demo', hasTotp: true }], 'the daemon emitted credentials-changed');
  t.same(await vault.getCredentials(), { username: 'demo', password: PASSWORD, mode: 'paper', totpSecret: TOTP });
  const show = await cli(dir, ['credentials', 'show', ...config]);
  t.match(show.stdout, /username\s+demo/);
  const clear = await cli(dir, ['credentials', 'clear', ...config]);
  t.equal(clear.code, 0);
  t.match(changes[1], { action: 'cleared' });
  const rotate = await cli(dir, ['keys', 'rotate', ...config]);
  t.equal(rotate.code, 1, 'the daemon\'s key is from its environment');
  t.match(rotate.stderr, 'IBGW_VAULT_ROTATE_SOURCE');
  noSecrets(t, [set, show, clear, rotate], [PASSWORD, TOTP]);
});
