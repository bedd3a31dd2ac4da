/**
 * `ibgw credentials` for real (dist/daemon/cli.js) in a temp working directory with its own
 * .env, on the vault files (no daemon): storing from stdin, showing, rotating, clearing, and the
 * errors. Every byte it prints is searched for the secrets.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { newKey, PASSWORD, tempDir, TOTP, writeDotEnv } from '../helpers/vault.js';
import { cli, noSecrets, workdir, type Run } from '../helpers/vault-cli.js';

t.test('credentials set from stdin, show, clear, against the files (no daemon)', async (t) => {
  const w = workdir(t);
  const runs: Run[] = [];
  const run = async (args: string[], input?: string) => { const r = await cli(w.dir, [...args, ...w.config], { input }); runs.push(r); return r; };

  const set = await run(['credentials', 'set', '--username', 'demo', '--password-stdin', '--mode', 'live', '--totp-secret-stdin'], `${PASSWORD}\n${TOTP}\n`);
  t.equal(set.code, 0, set.stderr);
  t.match(set.stdout, /credentials stored/);
  t.match(set.stdout, /no daemon running/);
  t.equal(statSync(join(w.dataDir, 'vault.json')).mode & 0o777, 0o600);

  const show = await run(['credentials', 'show']);
  t.equal(show.code, 0);
  t.match(show.stdout, /username\s+demo/);
  t.match(show.stdout, /mode\s+live/);
  t.match(show.stdout, /TOTP secret\s+stored/);
  t.match(show.stdout, new RegExp(`key id\\s+${w.key.id} \\(ENCRYPTION_KEY in ${join(w.dir, '.env')}\\)`));

  // Windows line ends and no TOTP line.
  const crlf = await run(['credentials', 'set', '--username', 'demo', '--password-stdin', '--json'], `${PASSWORD}\r\n`);
  t.match(JSON.parse(crlf.stdout), { configured: true, username: 'demo', mode: 'paper', hasTotp: false, keyId: w.key.id });

  const rotate = await run(['keys', 'rotate']);
  t.equal(rotate.code, 0, rotate.stderr);
  t.match(rotate.stdout, `rotated the vault key: ${w.key.id} → `);
  t.notMatch(readFileSync(join(w.dir, '.env'), 'utf8'), w.key.hex, 'the .env holds the new key');
  t.match(JSON.parse((await run(['credentials', 'show', '--json'])).stdout), { configured: true, username: 'demo', error: null });

  const clear = await run(['credentials', 'clear']);
  t.equal(clear.code, 0);
  t.match(clear.stdout, /credentials cleared\ncredentials\s+none stored/);

  const errors: Array<[string[], string | undefined, string]> = [
    [['credentials', 'set', '--password-stdin'], PASSWORD, '--password-stdin needs --username'],
    [['credentials', 'set', '--username', 'demo', '--password-stdin'], '', 'IBGW_CREDENTIALS_INVALID'],
    [['credentials', 'set', '--username', 'demo', '--password-stdin', '--totp-secret-stdin'], `${PASSWORD}\n${TOTP}x!\n`, 'totpSecret: must be base32'],
    [['credentials', 'set', '--username', 'demo'], undefined, 'no terminal to ask on'],
    [['credentials', 'set', '--username', 'demo', '--password-stdin', '--mode', 'real'], PASSWORD, 'mode: must be paper or live'],
  ];
  // Independent of each other: run side by side (each is a node start).
  const results = await Promise.all(errors.map(([args, input]) => run(args, input)));
  errors.forEach(([args, , expected], i) => {
    t.equal(results[i].code, 1, args.join(' '));
    t.match(results[i].stderr, expected);
    t.notMatch(results[i].stderr, /\n\s+at /, 'no stack trace');
  });
  noSecrets(t, runs, [PASSWORD, TOTP]);
});

t.test('errors a person understands: no key, wrong key, loose file modes', async (t) => {
  const dir = tempDir(t, 'ibgw-vault-cli-');
  writeFileSync(join(dir, 'ibgw.yaml'), 'dataDir: data\n');
  const config = ['--config', join(dir, 'ibgw.yaml')];
  const noKey = await cli(dir, ['credentials', 'set', '--username', 'demo', '--password-stdin', ...config], { input: PASSWORD });
  t.equal(noKey.code, 1);
  t.match(noKey.stderr, /^ibgw: Encryption failed: check encryption keys \(ENCRYPTION_KEY\)\. Looked in .* \[IBGW_VAULT_NO_KEY\]\n$/);

  const key = newKey();
  const stored = await cli(dir, ['credentials', 'set', '--username', 'demo', '--password-stdin', ...config], { input: PASSWORD, env: { ENCRYPTION_KEY: key.hex } });
  t.equal(stored.code, 0, stored.stderr);
  const wrong = await cli(dir, ['credentials', 'show', ...config], { env: { ENCRYPTION_KEY: newKey().hex } });
  t.equal(wrong.code, 1);
  t.match(wrong.stdout, `IBGW_VAULT_WRONG_KEY`);
  t.match(wrong.stdout, `set ENCRYPTION_KEY to the key with id ${key.id}`);

  writeDotEnv(dir, [`ENCRYPTION_KEY=${key.hex}`, 'ENCRYPTION_IV=0123456789ab'], 0o644);
  const loose = await cli(dir, ['credentials', 'show', ...config]);
  t.match(loose.stdout, `chmod 600 ${join(dir, '.env')}`);
  t.match(loose.stderr, /ENCRYPTION_IV is ignored/);
  t.notMatch(loose.stderr + loose.stdout, /\n\s+at /);
});
