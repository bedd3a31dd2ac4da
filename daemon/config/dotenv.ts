/**
 * The setup guide's `.env`: a file of NAME=value lines in the working directory, loaded once at
 * process start with Node's own parser (process.loadEnvFile; no dependency). Variables already
 * in the environment win, as with `node --env-file`.
 *
 * ENCRYPTION_KEY and ENCRYPTION_IV are taken back out of the process environment afterwards:
 * the vault reads them from the file itself at every use (so a key rotation that rewrites the
 * file is seen without a restart), and a key in process.env would be inherited by every child —
 * the gateway's JVM, Chromium — and readable in its /proc/<pid>/environ.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { ERR_CONFIG_READ } from '../errors.js';

export const DOTENV_FILE = '.env';
const FILE_ONLY = ['ENCRYPTION_KEY', 'ENCRYPTION_IV'];

export interface DotEnvLoad {
  path: string;
  /** Names this call put into the environment (those not already set). */
  loaded: string[];
}

export function loadDotEnv(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): DotEnvLoad | null {
  const path = join(cwd, DOTENV_FILE);
  if (!existsSync(path)) return null;
  let names: string[];
  try {
    names = Object.keys(parseEnv(readFileSync(path, 'utf8')));
  } catch (err) {
    throw ERR_CONFIG_READ(path, (err as NodeJS.ErrnoException).code ?? String(err));
  }
  const fresh = names.filter((name) => env[name] === undefined);
  if (env === process.env) {
    process.loadEnvFile(path);
  } else {
    // Tests (and embedders) pass their own env object; the same parser fills it the same way.
    const values = parseEnv(readFileSync(path, 'utf8'));
    for (const name of fresh) env[name] = values[name];
  }
  for (const name of FILE_ONLY) if (fresh.includes(name)) delete env[name];
  return { path, loaded: fresh.filter((name) => !FILE_ONLY.includes(name)) };
}
