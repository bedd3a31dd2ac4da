/**
 * `ibgw maintenance …` and `ibgw gateway install|versions|use` (the compiled CLI, a separate
 * process) against the real API listening on an ephemeral port. Each CLI start costs seconds
 * on a loaded machine: the rest of the commands are covered through the API tests.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { GatewayVersions } from '../../daemon/maintenance/versions/version-store.js';
import { CLI } from '../helpers/daemon.js';
import { distributionZip } from '../helpers/distributions.js';
import { buildMaintenanceApp, TOKEN } from '../helpers/maintenance-app.js';
import { maintenanceHarness, noTargets, tempDataDir } from '../helpers/maintenance-harness.js';

const run = promisify(execFile);

t.test('maintenance and gateway version commands', async (t) => {
  const dataDir = tempDataDir(t);
  const versions = new GatewayVersions({ dir: join(dataDir, 'versions'), keep: () => 3, enabled: () => true });
  const h = await maintenanceHarness(t, { start: Date.now(), dataDir, versions: () => versions, targets: () => ({ ...noTargets, versions }) });
  const app = await buildMaintenanceApp(t, h.store, { maintenance: () => h.service, versions: () => versions });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const configFile = join(dataDir, 'ibgw.yaml');
  writeFileSync(configFile, `dataDir: ${dataDir}\napi:\n  port: ${port}\n`);
  const cli = (...args: string[]) => run(process.execPath, [CLI, ...args, '--config', configFile], { env: { ...process.env, IBGW_ADMIN_TOKEN: TOKEN, IBGW_CONFIG: '' }, timeout: 60_000 })
    .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }))
    .catch((err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }));

  const add = await cli('maintenance', 'add', '--title', 'weekday restart', '--action', 'restart', '--days', 'mon-fri', '--time', '02:30', '--tz', 'America/New_York', '--duration', '20');
  t.equal(add.code, 0, add.stderr);
  const id = /added (\S+):/.exec(add.stdout)?.[1];
  t.ok(id, add.stdout);
  t.match((await cli('maintenance', 'list')).stdout, /restart weekday restart — mon,tue,wed,thu,fri 02:30 America\/New_York, 20 min; next /);
  const bad = await cli('maintenance', 'add', '--title', 'x', '--action', 'restart', '--cron', '0 3 * * *', '--tz', 'Mars/Olympus', '--duration', '10');
  t.equal(bad.code, 1);
  t.match(bad.stderr, /timeZone.*IBGW_MAINTENANCE_INVALID/);
  const cal = await cli('maintenance', 'calendar', '--days', '8', '--json');
  t.ok(JSON.parse(cal.stdout).occurrences.some((o: { windowId?: string }) => o.windowId === id), 'the window is in the calendar');
  const now = await cli('maintenance', 'now', '15', '--title', 'hotfix');
  t.equal(now.code, 0, now.stderr);
  t.match(now.stdout, /maintenance \(quiet\) now until /);
  t.match((await cli('maintenance', 'end')).stdout, /ended "hotfix"/);

  const zip = distributionZip(join(dataDir, 'cp.zip'), '20250101000000');
  const install = await cli('gateway', 'install', zip);
  t.equal(install.code, 0, install.stderr);
  t.match(install.stdout, /installed 20250101000000 \(build 20250101000000/);
  t.match((await cli('gateway', 'versions')).stdout, /20250101000000 .*\(staged\)\nactive: gateway.home from the config/);
  const use = await cli('gateway', 'use', '20250101000000', '--next-window');
  t.equal(use.code, 0, use.stderr);
  t.match(use.stdout, /staged \(p-[0-9a-f]+\) for the next apply, update or restart window/);
  t.match((await cli('maintenance', 'pending')).stdout, /switch to gateway version 20250101000000/);
  t.match((await cli('maintenance', 'rm', id!)).stdout, new RegExp(`removed ${id}`));
});
