/**
 * Build step (`npm run build`, after tsc): compiles the config's validator once and writes its
 * code where the daemon and the CLI look for it (daemon/config/config-check.ts says why).
 * Written to a temporary name and renamed, so a build cut short never leaves half a file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CONFIG_CHECK_FILE, configCheckSource } from '../daemon/config/config-check.js';

mkdirSync(dirname(CONFIG_CHECK_FILE), { recursive: true });
const partial = `${CONFIG_CHECK_FILE}.${process.pid}.tmp`;
writeFileSync(partial, await configCheckSource());
renameSync(partial, CONFIG_CHECK_FILE);
