import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { baseYaml, CLI } from '../helpers/daemon.js';
import { freePort } from '../../testkit/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Processes whose command line mentions `text` (the test's own temp dir). */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).filter((n) => {
    try { return readFileSync(`/proc/${n}/cmdline`, 'utf8').includes(text); } catch { return false; }
  }).map(Number);
}

t.test('a service that cannot start: exit 1 naming it, nothing left behind', async (t) => {
  const dir = tempDir(t, 'ibgw-startfail-');
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const apiPort = (blocker.address() as { port: number }).port;
  const file = join(dir, 'ibgw.yaml');
  writeFileSync(file, baseYaml(apiPort, await freePort()));
  const r = spawnSync(process.execPath, [CLI, 'daemon', '--config', file], { encoding: 'utf8', timeout: 30_000, cwd: dir, env: { ...process.env, IBGW_CONFIG: '', IBGW_API_PORT: '' } });
  t.equal(r.status, 1);
  t.match(r.stderr, /ibgw: service api failed to start: .*EADDRINUSE/);
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  t.notOk(existsSync(join(dir, 'data', 'daemon.pid')), 'the data dir lock was released');
  t.same(processesMentioning(dir), [], 'no gateway or other process of this data dir runs');
});
