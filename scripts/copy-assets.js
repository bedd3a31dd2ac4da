// tsc copies no non-TS files; the daemon and the simulator read these at run time from dist/.
import { cpSync, existsSync, mkdirSync, chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

// The admin UI's libraries, vendored from node_modules as plain ES modules (no bundler). The
// browser cannot resolve a bare `from "preact"` without an import map, and an import map is an
// inline script the UI's CSP forbids: such imports are rewritten to the vendored file.
const require = createRequire(import.meta.url);
// Not `${name}/package.json`: packages with an exports map (htm) do not export it.
const packageDir = (name) => {
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === name) return dir;
  }
  throw new Error(`copy-assets: cannot find the folder of ${name}`);
};
const vendorDir = join(root, 'dist/admin-ui/vendor');
const toVendored = (text) => text.replace(/from\s*(["'])preact\1/g, 'from"./preact.mjs"');
const vendored = [
  ['preact', 'dist/preact.mjs', 'preact.mjs'],
  ['preact', 'hooks/dist/hooks.mjs', 'preact-hooks.mjs'],
  ['preact', 'LICENSE', 'preact.LICENSE'],
  ['htm', 'dist/htm.mjs', 'htm.mjs'],
  ['htm', 'LICENSE', 'htm.LICENSE'],
  ['uplot', 'dist/uPlot.esm.js', 'uplot.mjs'],
  ['uplot', 'dist/uPlot.min.css', 'uplot.css'],
  ['uplot', 'LICENSE', 'uplot.LICENSE'],
];
mkdirSync(vendorDir, { recursive: true });
for (const [pkg, file, as] of vendored) {
  const text = toVendored(readFileSync(join(packageDir(pkg), file), 'utf8'));
  if (as.endsWith('.mjs') && /\bfrom\s*["'][a-z@][\w@/.-]*["']/.test(text)) throw new Error(`copy-assets: ${pkg}/${file} still imports a bare module name`);
  writeFileSync(join(vendorDir, as), text);
}
