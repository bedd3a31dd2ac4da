import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { freePort } from '../../testkit/ports.js';
import { groupGone, runCli as cli, startDaemonProcess } from '../helpers/daemon.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('ibgw status and ibgw gateway talk to the running daemon with the token file', async (t) => {
  const d = await startDaemonProcess(t);
  const status = await cli(['status', '--config', d.configFile]);
  t.equal(status.code, 0, status.stderr);
  t.match(status.stdout, /gateway\s+running/);
  t.match(status.stdout, new RegExp(`daemon\\s+pid ${d.child.pid}`));

  const json = await cli(['status', '--json'], { IBGW_CONFIG: d.configFile });
  t.equal(json.code, 0);
  const parsed = JSON.parse(json.stdout);
  const before = parsed.gateway.pid as number;

  const restart = await cli(['gateway', 'restart', '--config', d.configFile, '--reason', 'cli test']);
  t.equal(restart.code, 0, restart.stderr);
  const after = await d.waitGateway('running');
  t.not(after.gateway.pid, before);
  t.ok(groupGone(before), 'the old group is gone');
  const events = (await d.api('GET', '/api/v1/events?type=gateway')).body.events;
  t.ok(events.some((e: { data?: { reason?: string } }) => e.data?.reason === 'cli test'), 'the reason reached the events');

  const stop = await cli(['gateway', 'stop', '--config', d.configFile]);
  t.equal(stop.code, 0);
  t.match(stop.stdout, /gateway stopped/);

  const wrongToken = await cli(['gateway', 'start', '--config', d.configFile], { IBGW_ADMIN_TOKEN: 'not-the-token' });
  t.equal(wrongToken.code, 1);
  t.match(wrongToken.stderr, 'IBGW_UNAUTHORIZED');

  const usage = await cli(['gateway', 'fly', '--config', d.configFile]);
  t.equal(usage.code, 1);
  t.match(usage.stderr, 'usage: ibgw gateway');
});

t.test('ibgw status without a daemon says so and exits non-zero', async (t) => {
  const dir = tempDir(t, 'ibgw-cli-');
  const file = join(dir, 'ibgw.yaml');
  writeFileSync(file, `dataDir: data\napi:\n  port: ${await freePort()}\n`);
  const r = await cli(['status', '--config', file]);
  t.equal(r.code, 1);
  t.match(r.stderr, 'IBGW_DAEMON_UNREACHABLE');
  const unknown = await cli(['frobnicate']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, 'unknown command');
});
