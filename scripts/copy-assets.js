// tsc copies no non-TS files; the daemon and the simulator read these at run time from dist/.
import { cpSync, existsSync, mkdirSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const assets = [
  ['daemon/supervisor/lifeline.sh', 'dist/daemon/supervisor/lifeline.sh', 0o755],
  ['daemon/gateway/kinds/with-xvfb.sh', 'dist/daemon/gateway/kinds/with-xvfb.sh', 0o755],
  ['scripts/sim/assets', 'dist/scripts/sim/assets'],
  // The simulated IBC home (launcher scripts, config.ini template) for the TWS simulator.
  ['scripts/sim/tws/ibc', 'dist/scripts/sim/tws/ibc'],
  ['admin-ui', 'dist/admin-ui'],
];
for (const [from, to, mode] of assets) {
  const src = join(root, from);
  if (!existsSync(src)) continue;
  mkdirSync(dirname(join(root, to)), { recursive: true });
  cpSync(src, join(root, to), { recursive: true });
  if (mode) chmodSync(join(root, to), mode);
}
for (const bin of [
  'dist/daemon/cli.js', 'dist/scripts/sim/main.js', 'dist/scripts/sim/tws/main.js',
  'dist/scripts/sim/tws/ibc/scripts/ibcstart.sh', 'dist/scripts/sim/tws/ibc/gatewaystart.sh',
]) {
  if (existsSync(join(root, bin))) chmodSync(join(root, bin), 0o755);
}
