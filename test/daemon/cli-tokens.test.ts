import t from 'tap';
import { runCli, startDaemonProcess } from '../helpers/daemon.js';

t.test('ibgw tokens create | list | revoke', async (t) => {
  const d = await startDaemonProcess(t, { waitReady: false });
  const created = await runCli(['tokens', 'create', '--name', 'grafana', '--scope', 'read', '--config', d.configFile]);
  t.equal(created.code, 0, created.stderr);
  const lines = created.stdout.trimEnd().split('\n');
  const token = lines[lines.length - 1]!;
  t.match(token, /^ibgw_[A-Za-z0-9_-]{43}$/, 'the token alone on the last line');
  t.equal((await d.api('GET', '/metrics', { token })).status, 200, 'and it works');

  const list = await runCli(['tokens', 'list', '--config', d.configFile]);
  t.match(list.stdout, /grafana\s+read\s+\S+ \S+\s+\S+ \S+ from 127\.0\.0\.1/, 'name, scope, created, last used');
  t.notOk(list.stdout.includes(token));
  const json = JSON.parse((await runCli(['tokens', 'list', '--json', '--config', d.configFile])).stdout);
  t.match(json, [{ name: 'grafana', scope: 'read' }]);

  const bad = await runCli(['tokens', 'create', '--name', 'x', '--scope', 'admin', '--config', d.configFile]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /usage: ibgw tokens create/);

  const revoked = await runCli(['tokens', 'revoke', 'grafana', '--config', d.configFile]);
  t.equal(revoked.code, 0, revoked.stderr);
  t.match(revoked.stdout, /revoked app token grafana/);
  t.equal((await d.api('GET', '/metrics', { token })).status, 401);
});
