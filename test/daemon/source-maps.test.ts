import t from 'tap';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../daemon/package-root.js';
import { sourceMapsAskedFor } from '../../daemon/source-maps.js';

const run = promisify(execFile);
const MODULE = join(packageRoot, 'dist', 'daemon', 'source-maps.js');

/** A node that turns source maps on as pm2's fork container does, then lets the daemon's guard run. */
async function afterGuard(nodeArgs: string[], nodeOptions = ''): Promise<string> {
  const script = `process.setSourceMapsEnabled(true); const { dropUnaskedSourceMaps } = await import(${JSON.stringify(MODULE)}); console.log(dropUnaskedSourceMaps(), process.sourceMapsEnabled);`;
  // Through env(1): tap puts its own NODE_OPTIONS into the environment of every node it sees spawned.
  const { stdout } = await run('/usr/bin/env', [`NODE_OPTIONS=${nodeOptions}`, process.execPath, ...nodeArgs, '--input-type=module', '-e', script]);
  return stdout.trim();
}

t.test('asked for: on the command line or in NODE_OPTIONS, as a whole flag', async (t) => {
  t.ok(sourceMapsAskedFor(['--enable-source-maps'], undefined));
  t.ok(sourceMapsAskedFor([], '--max-old-space-size=100 --enable-source-maps'));
  t.notOk(sourceMapsAskedFor(['--optimize-for-size'], ''));
  t.notOk(sourceMapsAskedFor([], '--enable-source-maps-not'), 'another flag that starts alike');
});

t.test('turned on by a launcher (pm2): turned off; asked for: left on', async (t) => {
  t.equal(await afterGuard([]), 'true false', 'off');
  t.equal(await afterGuard(['--enable-source-maps']), 'false true', 'node --enable-source-maps');
  t.equal(await afterGuard([], '--enable-source-maps'), 'false true', 'NODE_OPTIONS');
});
