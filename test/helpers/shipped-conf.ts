import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../daemon/package-root.js';

/**
 * IBKR's conf.yaml as shipped, from the team's reference folder (shared/ beside the clone, as
 * CI lays it out), or null where it is not there. scripts/sim/assets/conf.yaml is a byte copy.
 */
export function referenceShippedConf(): string | null {
  for (const candidate of [join(packageRoot, '..', 'shared', 'ibkr', 'conf.yaml'), '/work/shared/ibkr/conf.yaml']) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}
