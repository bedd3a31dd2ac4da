/**
 * The daemon is killed with SIGKILL — no cleanup code of its own runs — and the gateway group
 * must still die within the grace. The daemon runs in its own node process, from dist/.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t, { type Test } from 'tap';
import { packageRoot } from '../../daemon/package-root.js';
import { freePort } from '../../testkit/ports.js';
import { waitFor } from '../../testkit/wait-for.js';
import { cmdline, groupPids, isAlive, killQuietly } from '../helpers/process-table.js';
import { baseOptions, fixture, FIXTURE_ENV, FIXTURES } from '../helpers/supervisor-harness.js';
import { tempDir } from '../helpers/temp-dir.js';

const dist = join(packageRoot, 'dist/daemon/supervisor/');
const built = existsSync(`${dist}index.js`) && existsSync(`${dist}lifeline.sh`);
const GRACE = 300;

async function killDaemonAndWatch(t: Test, launcher: string) {
  const port = await freePort();
  const dataDir = tempDir(t);
  const config = {
    spec: { command: [fixture(launcher), String(port)], cwd: FIXTURES, env: FIXTURE_ENV, host: '127.0.0.1', port },
    options: { ...baseOptions(dataDir, { stopGraceMs: GRACE }), random: undefined },
  };
  const daemon = spawn(process.execPath, [fixture('daemon-child.mjs'), JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } });
  const groups: number[] = [];
  t.teardown(() => killQuietly({ pids: [daemon.pid!], groups }));
  const lines = createInterface({ input: daemon.stdout! });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(daemon, 'exit').then(() => { throw new Error('daemon-child exited before ready'); }),
  ])) as [string];
  const pid = (JSON.parse(line) as { ready: number }).ready;
  groups.push(pid);
  await waitFor(() => groupPids(pid).length >= 3, 2000, 'launcher, watcher and server');
  const members = groupPids(pid);
  const watcher = members.find((p) => p !== pid && cmdline(p).includes('lifeline.sh'))!;
  const gateway = members.filter((p) => p !== watcher);
  t.ok(watcher, 'the lifeline watcher runs');
  t.ok(gateway.some((p) => cmdline(p).includes('server.mjs')), 'the grandchild server runs');

  const killedAt = Date.now();
  daemon.kill('SIGKILL');
  await once(daemon, 'exit');
  await waitFor(() => gateway.every((p) => !isAlive(p)), GRACE + 1500, 'gateway processes gone', 5);
  const gatewayGone = Date.now() - killedAt;
  await waitFor(() => groupPids(pid).length === 0, GRACE + 1500, 'group empty (watcher included)', 5);
  return { gatewayGone, allGone: Date.now() - killedAt, members };
}


t.test('kill -9 of the daemon: the gateway group dies within the grace', { skip: built ? false : 'run `npm run build` first (this test runs dist/)' }, async (t) => {
  const { gatewayGone, allGone, members } = await killDaemonAndWatch(t, 'run-like.sh');
  t.ok(gatewayGone < GRACE, `launcher and grandchild gone ${gatewayGone} ms after the kill (TERM honoured, no need for the grace)`);
  t.ok(allGone < GRACE + 1000, `watcher gone too, ${allGone} ms after the kill`);
  for (const p of members) t.notOk(isAlive(p), `pid ${p} no longer runs`);
});

t.test('kill -9 of the daemon: a gateway ignoring TERM is KILLed after the grace', { skip: built ? false : 'run `npm run build` first' }, async (t) => {
  const { gatewayGone, members } = await killDaemonAndWatch(t, 'ignore-term.sh');
  t.ok(gatewayGone >= GRACE - 50, `survived TERM until the grace (${gatewayGone} ms)`);
  t.ok(gatewayGone < GRACE + 1000, `then KILLed (${gatewayGone} ms)`);
  for (const p of members) t.notOk(isAlive(p), `pid ${p} no longer runs`);
});
