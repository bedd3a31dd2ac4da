import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * IBKR's conf.yaml as shipped, from the team's reference folder (shared/ beside the clone, as
 * CI lays it out), or null where it is not there. scripts/sim/assets/conf.yaml is a byte copy.
 */
export function referenceShippedConf(): string | null {
  for (const candidate of [join(root, '..', 'shared', 'ibkr', 'conf.yaml'), '/work/shared/ibkr/conf.yaml']) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}
