import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayConfig } from '../../config/types.js';
import { ERR_CONF_INVALID } from '../../errors.js';
import { writeFileAtomic } from '../../atomic-write.js';
import { bundledSimAsset, simulatorMain } from '../package-root.js';

/** Where the simulated gateway lives under the data dir: a gateway home like the real one's. */
export function simulatedLayout(dataDir: string) {
  const home = join(dataDir, 'gateway');
  return {
    home,
    confPath: join(home, 'root', 'conf.yaml'),
    simConfigPath: join(home, 'sim-config.json'),
    controlFile: join(home, 'sim-control.json'),
  };
}

/** The bundled copy of the shipped conf.yaml (scripts/sim/assets). */
export function bundledTemplate(): string {
  const path = bundledSimAsset('conf.yaml');
  if (!path) throw ERR_CONF_INVALID('scripts/sim/assets/conf.yaml', 'the bundled template is missing (run npm run build)');
  return path;
}

export function newControlToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The simulator's settings: gateway.simulator plus its control channel. 0600 because it holds
 * the simulated users' passwords and the control token.
 */
export async function writeSimConfig(path: string, simulator: GatewayConfig['simulator'], control: { token: string; infoFile: string }): Promise<void> {
  const body = { ...simulator, control: { port: 0, token: control.token, infoFile: control.infoFile } };
  const text = JSON.stringify(body, null, 2) + '\n';
  // Unchanged since the last launch (the usual restart): no write, no fsync on the restart path.
  // Read synchronously: a small file, on the restart path, where the thread pool adds its hops.
  if (unchanged(path, text)) return;
  await writeFileAtomic(path, text, { mode: 0o600 });
}

function unchanged(path: string, text: string): boolean {
  try {
    return (statSync(path).mode & 0o777) === 0o600 && readFileSync(path, 'utf8') === text;
  } catch {
    return false;
  }
}

/** `ibgw-sim root/conf.yaml --sim-config <file>`, run by this very Node binary, cwd = home. */
export function simulatedArgv(simConfigPath: string): string[] {
  return [process.execPath, simulatorMain(), 'root/conf.yaml', '--sim-config', simConfigPath];
}
