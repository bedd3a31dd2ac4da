import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { waitFor } from '../../testkit/wait-for.js';
import { CLI, groupGone, startDaemonProcess } from '../helpers/daemon.js';
import { groupPids } from '../helpers/process-table.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('npm start path: the daemon supervises the simulated gateway; API, tokens, actions, SIGTERM', async (t) => {
  const d = await startDaemonProcess(t);

  t.equal((await d.api('GET', '/healthz', { token: null })).status, 200);
  const status = await d.status();
  t.match(status, { daemon: { pid: d.child.pid, version: String, missingNodeFlags: [] }, gateway: { state: 'running', pid: Number, restartsSinceStart: 0, restartsAllTime: 0 } });
  t.type(status.daemon.uptime, 'number');
  const firstPid: number = status.gateway.pid;
  t.ok(groupPids(firstPid).length >= 1, 'the gateway group exists in the process table');

  // The gateway really answers over TLS, verified with the daemon's own CA.
  const ca = readFileSync(join(d.dataDir, 'tls', 'ca.pem'), 'utf8');
  const { request } = await import('node:https');
  const code = await new Promise<number>((resolve, reject) => {
    request({ host: 'localhost', port: d.gatewayPort, path: '/v1/api/iserver/auth/status', method: 'POST', ca }, (res) => { res.resume(); resolve(res.statusCode!); }).on('error', reject).end();
  });
  t.equal(code, 401, 'auth status without a session answers 401 like the real gateway');

  // Admin token: 0600 file, required for actions.
  t.equal((await import('node:fs')).statSync(join(d.dataDir, 'admin-token')).mode & 0o777, 0o600);
  const denied = await d.api('POST', '/api/v1/gateway/restart', { token: null });
  t.equal(denied.status, 401);
  t.match(denied.body, { code: 'IBGW_UNAUTHORIZED', message: String });
  for (const body of [{ reason: { nested: true } }, { reason: 'x', force: true }, { reason: 'x'.repeat(500) }]) {
    const bad = await d.api('POST', '/api/v1/gateway/restart', { body });
    t.equal(bad.status, 400, `schema-validated body ${JSON.stringify(body).slice(0, 40)}`);
    t.match(bad.body, { code: 'IBGW_BAD_REQUEST', message: String });
  }
  const notJson = await fetch(d.apiUrl + '/api/v1/gateway/restart', { method: 'POST', headers: { authorization: `Bearer ${d.token()}`, 'content-type': 'application/json' }, body: '{oops' });
  t.equal(notJson.status, 400, 'malformed JSON is a 400');
  t.match(await notJson.json(), { code: String, message: String });
  t.equal((await d.api('GET', '/api/v1/nope', { token: null })).status, 404);

  const restarted = await d.api('POST', '/api/v1/gateway/restart', { body: { reason: 'test restart' } });
  t.equal(restarted.status, 200);
  const after = await d.waitGateway('running');
  t.not(after.gateway.pid, firstPid, 'a new gateway process');
  t.match(after.gateway, { restartsSinceStart: 1, restartsAllTime: 1 }, 'a planned restart is counted');
  t.ok(groupGone(firstPid), 'the old group is empty');

  const stopped = await d.api('POST', '/api/v1/gateway/stop', {});
  t.equal(stopped.status, 200);
  t.equal(stopped.body.state, 'stopped');
  t.ok(groupGone(after.gateway.pid), 'stop leaves no process of the group');
  t.equal((await d.api('GET', '/readyz', { token: null })).status, 503);

  const started = await d.api('POST', '/api/v1/gateway/start', {});
  t.equal(started.status, 200);
  const running = await d.waitGateway('running');
  t.match(running.gateway, { restartsSinceStart: 1, restartsAllTime: 1 }, 'a start after a stop is no restart');

  const events = await d.api('GET', '/api/v1/events?type=gateway&limit=50');
  t.equal(events.status, 200);
  t.ok(events.body.events.some((e: any) => e.data?.reason === 'test restart'), 'transitions are recorded with their reason');

  d.child.kill('SIGTERM');
  const exit = await d.exited;
  t.same(exit, { code: 0, signal: null }, 'SIGTERM: exit 0');
  t.ok(groupGone(running.gateway.pid), 'no gateway process left after the daemon stopped');
  const state = JSON.parse(readFileSync(join(d.dataDir, 'state.json'), 'utf8'));
  const stored = readFileSync(join(d.dataDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; message: string });
  t.ok(stored.some((e) => e.type === 'daemon.stopped'), 'the store was flushed on the way out');
  t.equal(state.gateway.restarts, 1, 'the all-time count is kept for the next daemon run');

  // The event sink is the one place events are logged: each recorded event is one log line, not two.
  const logged = new Map<string, number>();
  for (const line of d.output().split('\n')) {
    try { const msg = JSON.parse(line).msg; logged.set(msg, (logged.get(msg) ?? 0) + 1); } catch { /* not a log line */ }
  }
  const recorded = new Map<string, number>();
  for (const e of stored) recorded.set(e.message, (recorded.get(e.message) ?? 0) + 1);
  t.ok(recorded.size > 5, 'transitions of the gateway and the session were recorded');
  const mismatched = [...recorded].filter(([m, n]) => logged.get(m) !== n).map(([m, n]) => `${m}: recorded ${n}, logged ${logged.get(m) ?? 0}`);
  t.same(mismatched, [], 'every recorded event is logged exactly once');
});

t.test('SIGINT (what pm2 sends) stops the group and exits 0', async (t) => {
  const d = await startDaemonProcess(t);
  const { gateway } = await d.status();
  d.child.kill('SIGINT');
  t.same(await d.exited, { code: 0, signal: null });
  t.ok(groupGone(gateway.pid));
});

t.test('kill -9 of the daemon: the lifeline takes the gateway group down within the grace', async (t) => {
  const d = await startDaemonProcess(t);
  const { gateway } = await d.status();
  const members = groupPids(gateway.pid);
  t.ok(members.length >= 2, 'gateway and lifeline watcher are in the group');
  const killedAt = Date.now();
  d.child.kill('SIGKILL');
  await d.exited;
  await waitFor(() => groupGone(gateway.pid), 5000, 'gateway group gone');
  t.ok(Date.now() - killedAt < 1000 + 2000, 'within the grace (1 s) plus scheduling slack');
});

t.test('a bad config file at start: exit 78 naming file and key', async (t) => {
  const { spawnSync } = await import('node:child_process');
  const dir = tempDir(t, 'ibgw-badconf-');
  const file = join(dir, 'ibgw.yaml');
  writeFileSync(file, 'gateway:\n  restart:\n    maxRestarts: -1\n');
  const r = spawnSync(process.execPath, [CLI, 'daemon', '--config', file], { encoding: 'utf8', timeout: 20_000, cwd: dir });
  t.equal(r.status, 78);
  t.match(r.stderr, file);
  t.match(r.stderr, 'gateway.restart.maxRestarts');
});

t.test('one data dir takes one daemon', async (t) => {
  const d = await startDaemonProcess(t, { waitReady: false });
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, [(await import('../helpers/daemon.js')).CLI, 'daemon', '--config', d.configFile], { encoding: 'utf8', timeout: 20_000, cwd: d.dir, env: { ...process.env, IBGW_API_PORT: '0' } });
  t.not(r.status, 0);
  t.match(r.stderr, 'IBGW_DAEMON_RUNNING');
});

t.test('readyz follows the IBKR session: needs-login until a login, then 200 with the session in status', async (t) => {
  const d = await startDaemonProcess(t, { yaml: 'session:\n  tickleIntervalMs: 400\n  requestTimeoutMs: 300\n  livenessIntervalMs: 300\n' });
  const needs = await waitFor(async () => {
    const s = await d.status();
    return s.session?.state === 'needs-login' ? s : null;
  }, 15_000, 'session needs-login');
  t.match(needs.session, { authenticated: false, loginUrl: `https://127.0.0.1:${d.gatewayPort}/` });
  const notReady = await d.api('GET', '/readyz', { token: null });
  t.equal(notReady.status, 503);
  t.match(notReady.body, { ready: false, gateway: 'running', session: 'needs-login' });

  // Log in on the simulated IBKR side (what a person does in the browser).
  const control = JSON.parse(readFileSync(join(d.dataDir, 'gateway', 'sim-control.json'), 'utf8')) as { port: number; token: string };
  const login = await fetch(`http://127.0.0.1:${control.port}/session/login`, {
    method: 'POST', headers: { authorization: `Bearer ${control.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo' }),
  });
  t.equal(login.status, 200);
  const ready = await waitFor(async () => {
    const r = await d.api('GET', '/readyz', { token: null });
    return r.status === 200 ? r : null;
  }, 15_000, 'readyz 200 after login');
  t.match(ready.body, { ready: true, session: 'authenticated' });
  const s = await d.status();
  t.match(s.session, { state: 'authenticated', authenticated: true, lastTickleAt: Number, lastTickleMs: Number });
  const session = await d.api('GET', '/api/v1/session', { token: null });
  t.equal(session.status, 200);
  t.ok(session.body.metrics.endpoints, 'per-endpoint metrics');
  for (const action of ['check', 'clear-login-block']) {
    t.equal((await d.api('POST', `/api/v1/session/${action}`, { token: null })).status, 401, `${action} needs the admin token`);
    const done = await d.api('POST', `/api/v1/session/${action}`, {});
    t.equal(done.status, 200, action);
    t.match(done.body, { state: 'authenticated', loginBlocked: null }, `${action} answers with the session status`);
  }
});
