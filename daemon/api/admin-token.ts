import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../atomic-write.js';

export const ADMIN_TOKEN_FILE = 'admin-token';

/**
 * The admin token: IBGW_ADMIN_TOKEN when set (a service manager's secret store), else the
 * token generated on first start into <dataDir>/admin-token, mode 0600, so the CLI on the
 * same host (same user) can read it and nobody else can.
 */
export function resolveAdminToken(dataDir: string, env: NodeJS.ProcessEnv = process.env): { token: string; source: 'env' | 'file' | 'generated'; file: string } {
  const file = join(dataDir, ADMIN_TOKEN_FILE);
  if (env.IBGW_ADMIN_TOKEN && env.IBGW_ADMIN_TOKEN.trim().length > 0) return { token: env.IBGW_ADMIN_TOKEN.trim(), source: 'env', file };
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 16) {
      // Tighten a file someone loosened by hand: it grants full control of the gateway.
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
      return { token, source: 'file', file };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(32).toString('base64url');
  writeFileAtomicSync(file, token + '\n', { mode: 0o600 });
  return { token, source: 'generated', file };
}
