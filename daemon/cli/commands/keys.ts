import { join } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { ERR_BAD_REQUEST } from '../../errors.js';
import { writeFileDurable } from '../../vault/durable-file.js';
import { formatKey, generateKey, keyId } from '../../vault/key-material.js';
import type { RotationResult } from '../../vault/rotate.js';
import { parseCommon } from '../args.js';
import { vaultTarget } from '../vault-target.js';
import { existsSync } from 'node:fs';

const USAGE = `usage: ibgw keys generate [--write]     a new vault key in .env form (--write: into the key file)
       ibgw keys rotate                 re-encrypt the vault under a new key, installed where the old one is`;

function describeRotation(r: RotationResult): string {
  const where = r.destinations.map((d) => (d.origin === 'dotenv' ? `ENCRYPTION_KEY in ${d.path}` : d.path)).join(' and ');
  return [
    `${r.resumed ? 'finished an interrupted rotation' : 'rotated the vault key'}: ${r.fromKeyId ?? '-'} → ${r.toKeyId}`,
    `new key written to ${where}`,
    r.vaultReencrypted ? 'vault re-encrypted under the new key' : 'no vault yet: only the key changed',
    'keep a copy of the new key where you keep the old one: without it the vault cannot be opened',
  ].join('\n') + '\n';
}

/** ibgw keys …: the key the credential vault is sealed with. */
export async function keysCommand(argv: string[]): Promise<number> {
  const args = parseCommon(argv, { write: { type: 'boolean' } });
  switch (args.positionals[0]) {
    case 'generate': {
      const key = generateKey();
      const id = keyId(key);
      if (args.values.write) {
        const { config } = loadConfig({ file: args.config });
        const path = config.vault.keyFile ?? join(config.dataDir, 'vault.key');
        if (existsSync(path)) throw ERR_BAD_REQUEST(`${path} exists; a second key would lock the vault out: use ibgw keys rotate`);
        await writeFileDurable(path, `${formatKey(key)}\n`, { mode: 0o600 });
        process.stdout.write(args.json ? JSON.stringify({ keyId: id, keyFile: path }) + '\n' : `wrote key ${id} to ${path} (mode 0600)\n`);
        return 0;
      }
      process.stdout.write(args.json ? JSON.stringify({ keyId: id, ENCRYPTION_KEY: formatKey(key) }) + '\n' : [
        `# ibgw vault key ${id} (AES-256-GCM, 32 random bytes). Put this line in .env (chmod 600 .env)`,
        '# or in the service\'s environment, and keep a copy somewhere safe: without it the vault cannot be opened.',
        `ENCRYPTION_KEY=${formatKey(key)}`,
        '',
      ].join('\n'));
      return 0;
    }
    case 'rotate': {
      const target = vaultTarget(args.config);
      const result = await target.rotateKey();
      for (const warning of result.warnings) process.stderr.write(`ibgw: warning: ${warning}\n`);
      process.stdout.write(args.json ? JSON.stringify(result, null, 2) + '\n' : describeRotation(result));
      return 0;
    }
    default:
      throw ERR_BAD_REQUEST(USAGE);
  }
}
