/**
 * The shipped ecosystem.config.js, run by the real pm2 (a devDependency) in its own PM2_HOME:
 * start (wait_ready), the API answers, the gateway runs; pm2 stop (SIGINT) leaves no process
 * of the daemon or the gateway behind.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { DAEMON_NODE_FLAGS } from '../../daemon/node-flags.js';
import { packageRoot } from '../../daemon/package-root.js';
import { freePort } from '../../testkit/ports.js';
import { waitFor } from '../../testkit/wait-for.js';
import { baseYaml, groupGone } from '../helpers/daemon.js';
import { isAlive } from '../helpers/process-table.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const pm2 = join(packageRoot, 'node_modules', '.bin', 'pm2');

t.test('pm2 runs the daemon from ecosystem.config.js and stops it cleanly', async (t) => {
  const dir = tempDir(t, 'ibgw-pm2-');
  const apiPort = await freePort();
  const gatewayPort = await freePort();
  const configFile = join(dir, 'ibgw.yaml');
  writeFileSync(configFile, baseYaml(apiPort, gatewayPort).replace('dataDir: data', `dataDir: ${join(dir, 'data')}`));
  const env = { ...process.env, PM2_HOME: join(dir, 'pm2'), IBGW_CONFIG: configFile, IBGW_ADMIN_TOKEN: '' };
  t.teardown(async () => {
    await run(pm2, ['kill'], { env, timeout: 60_000 }).catch(() => {});
  });

  const started = Date.now();
  await run(pm2, ['start', join(packageRoot, 'ecosystem.config.js')], { env, cwd: packageRoot, timeout: 90_000 });
  t.ok(Date.now() - started < 60_000, 'pm2 start returned (wait_ready honoured)');

  const health = await waitFor(async () => (await fetch(`http://127.0.0.1:${apiPort}/healthz`).catch(() => null))?.ok, 30_000, '/healthz');
  t.ok(health, '/healthz answers');
  const status = await waitFor(async () => {
    const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/status`).catch(() => null);
    const s = res?.ok ? await res.json() as { daemon: { pid: number; missingNodeFlags: string[]; sourceMaps: boolean }; gateway: { state: string; pid: number } } : null;
    return s?.gateway.state === 'running' ? s : null;
  }, 30_000, 'gateway running under pm2');
  const daemonPid = status.daemon.pid;
  const gatewayPid = status.gateway.pid;
  t.equal(Number(readFileSync(join(dir, 'data', 'daemon.pid'), 'utf8')), daemonPid, 'pm2 runs our daemon');
  // Not from /proc/PID/cmdline: pm2's container sets process.title, which overwrites it.
  t.same(status.daemon.missingNodeFlags, [], `with the daemon's V8 flags (node_args: ${DAEMON_NODE_FLAGS.join(' ')})`);
  t.equal(status.daemon.sourceMaps, false, 'without the source maps pm2 turns on for every process');

  const { stdout: listed } = await run(pm2, ['jlist'], { env, timeout: 30_000 });
  const monitored = (JSON.parse(listed) as Array<{ name: string; pm2_env: { axm_monitor?: Record<string, unknown> } }>).find((a) => a.name === 'ibgw');
  t.same(Object.keys(monitored?.pm2_env.axm_monitor ?? {}), [], 'without pm2\'s metrics agent (pmx) in the daemon');

  await run(pm2, ['stop', 'ibgw'], { env, timeout: 60_000 });
  await waitFor(() => !isAlive(daemonPid), 20_000, 'daemon exited');
  await waitFor(() => groupGone(gatewayPid), 10_000, 'gateway group gone');
  t.ok(groupGone(gatewayPid), 'no gateway process left behind');
  const stored = readFileSync(join(dir, 'data', 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; message: string });
  t.ok(stored.some((e) => e.type === 'daemon.stopped' && /SIGINT/.test(e.message)), 'the daemon stopped on SIGINT and flushed its store');
  const { stdout } = await run(pm2, ['jlist'], { env, timeout: 30_000 });
  const app = (JSON.parse(stdout) as Array<{ name: string; pm2_env: { status: string } }>).find((a) => a.name === 'ibgw');
  t.equal(app?.pm2_env.status, 'stopped');
});
