import { ERR_BAD_REQUEST, ERR_CREDENTIALS_INVALID } from '../../errors.js';
import type { VaultStatus } from '../../vault/vault-store.js';
import { parseCommon } from '../args.js';
import { table } from '../format.js';
import { askHidden, askVisible, readStdinLines } from '../secret-input.js';
import { vaultTarget } from '../vault-target.js';

const USAGE = `usage: ibgw credentials set                      asks on the terminal (the password is not echoed)
       ibgw credentials set --username U --password-stdin [--mode paper|live] [--totp-secret-stdin]
                                                 for scripts: the password is the first line of stdin,
                                                 the TOTP secret the second
       ibgw credentials show                     username, mode, key id, whether a TOTP secret is stored
       ibgw credentials clear`;

export function formatVaultStatus(s: VaultStatus, via: string): string {
  const rows: Array<[string, unknown]> = [
    ['credentials', s.error ? 'cannot be read' : s.configured ? 'stored' : 'none stored'],
    ['username', s.username], ['mode', s.mode], ['TOTP secret', s.configured ? (s.hasTotp ? 'stored' : 'none') : null],
    ['updated', s.updatedAt], ['key id', s.keyId ? `${s.keyId}${s.keySource ? ` (${s.keySource})` : ''}` : null],
    ['other secrets', s.secretCount], ['vault', via],
  ];
  if (s.rotationPending) rows.push(['rotation', 'unfinished: run ibgw keys rotate to finish it']);
  if (s.error) rows.push(['error', `${s.error.message} [${s.error.code}]`]);
  return table(rows) + '\n';
}

async function gather(values: Record<string, string | boolean | undefined>): Promise<Record<string, unknown>> {
  const mode = values.mode as string | undefined;
  if (values['password-stdin']) {
    if (!values.username) throw ERR_BAD_REQUEST('--password-stdin needs --username U');
    const lines = await readStdinLines();
    if (!lines[0]) throw ERR_CREDENTIALS_INVALID('password', 'the first line of stdin is empty');
    const totpSecret = values['totp-secret-stdin'] ? lines[1] : undefined;
    if (values['totp-secret-stdin'] && !totpSecret) throw ERR_CREDENTIALS_INVALID('totpSecret', '--totp-secret-stdin given but the second line of stdin is empty');
    return { username: values.username, password: lines[0], mode, totpSecret };
  }
  if (values['totp-secret-stdin']) throw ERR_BAD_REQUEST('--totp-secret-stdin goes with --password-stdin');
  if (!process.stdin.isTTY) throw ERR_BAD_REQUEST(`no terminal to ask on: pass --username U --password-stdin (the password on stdin)\n${USAGE}`);
  const username = (values.username as string | undefined) ?? await askVisible('IBKR username: ');
  const password = await askHidden('Password: ');
  if (password !== await askHidden('Password (again): ')) throw ERR_CREDENTIALS_INVALID('password', 'the two entries differ');
  const chosen = mode ?? ((await askVisible('Trading mode, paper or live [paper]: ')) || 'paper');
  const totpSecret = await askHidden('TOTP secret (empty if the account has none): ');
  return { username, password, mode: chosen, totpSecret: totpSecret || null };
}

/** ibgw credentials …: the IBKR login the daemon uses, kept in the vault. */
export async function credentialsCommand(argv: string[]): Promise<number> {
  const args = parseCommon(argv, {
    username: { type: 'string' }, mode: { type: 'string' }, 'password-stdin': { type: 'boolean' }, 'totp-secret-stdin': { type: 'boolean' },
  });
  const print = (s: VaultStatus, via: string, head = '') => process.stdout.write(args.json ? JSON.stringify(s, null, 2) + '\n' : head + formatVaultStatus(s, via));
  switch (args.positionals[0]) {
    case 'set': {
      // The config first: a bad one should not be found out after the password was typed.
      const target = vaultTarget(args.config);
      const input = await gather(args.values);
      print(await target.setCredentials(input), target.via, 'credentials stored\n');
      return 0;
    }
    case 'show': {
      const target = vaultTarget(args.config);
      const s = await target.status();
      print(s, target.via);
      return s.error ? 1 : 0;
    }
    case 'clear': {
      const target = vaultTarget(args.config);
      print(await target.clearCredentials(), target.via, 'credentials cleared\n');
      return 0;
    }
    default:
      // `credentials test` arrives with the login driver.
      throw ERR_BAD_REQUEST(USAGE);
  }
}
