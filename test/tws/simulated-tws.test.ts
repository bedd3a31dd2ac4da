/**
 * gateway.kind simulated-tws end to end: the supervisor spawns the simulated IBC launcher and
 * gateway, the TWS keeper's API probe decides readiness and health, IBC's command server stops
 * it. Real processes, real sockets, the real process table.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import t from 'tap';
import { groupPids, isAlive } from '../helpers/process-table.js';
import { librarySession, relayFrom } from '../helpers/tws-library.js';
import { twsHarness } from '../helpers/tws-harness.js';
import { waitFor } from '../../testkit/wait-for.js';

t.test('starts, the API handshake makes it ready, a client library connects from a trusted address only', async (t) => {
  const h = await twsHarness(t, { ibgateway: { trustedIps: ['127.0.0.1'] } });
  t.equal(h.sup.status().state, 'running');
  await h.waitSession('authenticated');
  const status = h.keeper.status();
  t.equal(status.authenticated, true);
  t.equal(status.tws.serverVersion, 176);
  t.same(status.tws.accounts, ['DU1234567']);
  await waitFor(() => Object.keys(h.keeper.status().tws.farms).length === 3, 5000, 'farm notices');
  t.same(h.keeper.status().tws.farms, { usfarm: 'ok', ushmds: 'ok', secdefil: 'ok' });
  await waitFor(() => h.keeper.status().lastTickleAt !== null, 5000, 'a reqCurrentTime answer');

  const s = await librarySession(h.port, 21);
  t.equal(s.accounts, 'DU1234567');
  t.equal(s.positions.length, 10);
  const relay = await relayFrom('127.0.0.2', h.port);
  t.teardown(() => relay.close());
  await t.rejects(librarySession(relay.port, 22, 5000), /disconnected/, '127.0.0.2 is not in TrustedIPs: dropped');

  const ini = readFileSync(h.gateway.configIni.path, 'utf8');
  t.equal(statSync(h.gateway.configIni.path).mode & 0o777, 0o600, 'config.ini is 0600: it holds the password');
  for (const line of ['IbLoginId=demo', 'IbPassword=demo1234', 'TradingMode=paper', `OverrideTwsApiPort=${h.port}`, 'ReadOnlyApi=yes',
    'AcceptIncomingConnectionAction=reject', 'ExistingSessionDetectedAction=secondary', `CommandServerPort=${h.commandPort}`, 'BindAddress=127.0.0.1']) {
    t.match(ini, new RegExp(`^${line}$`, 'm'), line);
  }
  t.match(ini, /^# IBC config.ini, the keys the simulated IB Gateway reads/m, "the template's comments are kept");
  t.match(ini, /^AutoRestartTime=\d\d:\d\d [AP]M$/m, 'auto restart inside the daily reset window');
  t.notMatch(h.lines.join('\n'), /demo1234/, 'the password never reaches the captured output');
  const jts = readFileSync(h.gateway.jtsIni.path, 'utf8');
  t.match(jts, /^TrustedIPs=127\.0\.0\.1$/m);
  t.equal(statSync(h.gateway.jtsIni.path).mode & 0o777, 0o600);
  t.notOk(h.events.some((e) => JSON.stringify(e).includes('demo1234')), 'no secret in any event');
});

t.test('127.0.0.2 in gateway.ibgateway.trustedIps gets in', async (t) => {
  const h = await twsHarness(t, { ibgateway: { trustedIps: ['127.0.0.1', '127.0.0.2'] } });
  await h.waitSession('authenticated');
  const relay = await relayFrom('127.0.0.2', h.port);
  t.teardown(() => relay.close());
  t.equal((await librarySession(relay.port, 23)).accounts, 'DU1234567');
  t.match(readFileSync(h.gateway.jtsIni.path, 'utf8'), /^TrustedIPs=127\.0\.0\.1,127\.0\.0\.2$/m);
});

t.test('a hang (no handshake answer) is a restart', async (t) => {
  const h = await twsHarness(t);
  await h.waitSession('authenticated');
  const firstPid = h.sup.status().pid!;
  await h.control('/fault/hang', { on: true });
  await waitFor(() => h.events.some((e) => e.type === 'session.restart'), 15_000, 'a restart request');
  await waitFor(() => h.sup.status().pid !== firstPid && h.sup.status().state === 'running', 20_000, 'a new gateway');
  await h.waitSession('authenticated', 20_000);
  t.match(h.events.find((e) => e.type === 'session.restart')?.message, /hang: /);
  t.equal(groupPids(firstPid).length, 0, 'the hung group is gone');
});

t.test('IBKR unreachable (1100) is a wait: no restart; 1102 brings the session back', async (t) => {
  const h = await twsHarness(t);
  await h.waitSession('authenticated');
  const pid = h.sup.status().pid;
  await h.control('/fault/unreachable', { on: true });
  await h.waitSession('ibkr-unreachable');
  t.equal(h.keeper.status().authenticated, false);
  t.equal(h.keeper.status().tws.connectivity, 'lost');
  // Several probe rounds pass (interval 200 ms) without a restart.
  const probes = h.keeper.metrics().counters.tickles;
  await waitFor(() => h.keeper.metrics().counters.tickles >= probes + 5, 10_000, 'five more probes');
  t.equal(h.keeper.status().state, 'ibkr-unreachable');
  t.equal(h.sup.status().pid, pid, 'same gateway process');
  t.notOk(h.events.some((e) => e.type === 'session.restart'), 'no restart requested');
  await h.control('/fault/unreachable', { on: false });
  await h.waitSession('authenticated');
  const connectivity = h.events.filter((e) => e.type === 'session.connectivity').map((e) => e.data?.code);
  t.same(connectivity, [1100, 1102]);
  t.ok(h.events.some((e) => e.type === 'session.farm' && e.data?.state === 'broken'), 'farm broken reported');
});

t.test("stop: IBC's STOP first (a clean logout), then the group", async (t) => {
  const h = await twsHarness(t);
  await h.waitSession('authenticated');
  const pid = h.sup.status().pid!;
  const members = groupPids(pid);
  t.ok(members.length >= 2, 'launcher and gateway in one group');
  await h.sup.stop('test stop');
  t.match(h.lines.join('\n'), /IBC: CommandServer received command: STOP/);
  t.match(h.lines.join('\n'), /Login has completed: exiting via \[File, Close\] menu/);
  const exit = h.sup.status().lastExit;
  t.equal(exit?.code, 0, 'the launcher ended by itself after STOP (exit 0), not by a signal');
  for (const p of members) t.notOk(isAlive(p), `pid ${p} gone`);
  t.equal(groupPids(pid).length, 0);
});

t.test('a stop with a hung command server still ends the group (STOP is bounded)', async (t) => {
  const h = await twsHarness(t, { ibc: { stopTimeoutMs: 500 } });
  await h.waitSession('authenticated');
  const pid = h.sup.status().pid!;
  await h.control('/fault/hang', { on: true });
  await h.sup.stop('test stop');
  t.equal(groupPids(pid).length, 0);
  // ibcstart.sh traps TERM, forwards it to the "JVM" and exits with its status: 143.
  t.equal(h.sup.status().lastExit?.code, 143, 'ended by the group TERM after the STOP went unanswered');
  t.match(h.lines.join('\n'), /IBC returned exit status 143/);
});

const windowNow = {
  current: (now: number) => ({ start: now - 1000, end: now + 3_600_000, windows: [], reason: 'test window' }),
  next: () => null,
};

t.test('a planned restart inside a maintenance window goes through IBC RESTART: same group, no new login', async (t) => {
  const h = await twsHarness(t, { calendar: windowNow });
  await h.waitSession('authenticated');
  const pid = h.sup.status().pid;
  const logins = h.keeper.status().loginsToday;
  t.equal(await h.keeper.plannedRestart('maintenance'), 'ibc');
  await waitFor(() => h.lines.some((l) => l.includes('auto-restart: re-authenticating with the stored session')), 15_000, 'the in-place restart');
  await h.waitSession('authenticated');
  t.equal(h.sup.status().pid, pid, 'the supervisor saw no exit: the same process group');
  t.equal(h.keeper.status().loginsToday, logins, 'no new login counted');
  t.equal(h.keeper.status().tws.ibcRestarts, 1);
  t.match(h.lines.join('\n'), /CommandServer received command: RESTART/);
});

t.test('a planned restart outside a window restarts the group: a new, counted login', async (t) => {
  const h = await twsHarness(t);
  await h.waitSession('authenticated');
  const pid = h.sup.status().pid;
  t.equal(await h.keeper.plannedRestart('config changed'), 'group');
  await h.waitSession('authenticated');
  t.not(h.sup.status().pid, pid);
  t.equal(h.keeper.status().loginsToday, 2);
});

t.test('a wrong password at a restart (control-channel login fault): blocked after one attempt, not retried', async (t) => {
  const h = await twsHarness(t, { session: { loginBudget: { perDay: 20, perHour: 10 } } });
  await h.waitSession('authenticated');
  await h.control('/fault/login', { fault: 'wrong-password' });
  const before = h.lines.length;
  void h.sup.restart('test restart');
  await h.waitSession('login-blocked', 20_000);
  await h.waitState('stopped');
  const after = h.lines.slice(before);
  t.equal(after.filter((l) => /IBC: Login failed$/.test(l)).length, 1, 'one failed login');
  t.equal(h.keeper.status().loginsToday, 2, 'the first start and the failed one');
  // The credentials fixed (the fault lives in the settings folder, the simulator is down), an
  // operator clears the block: the gateway starts and logs in again.
  rmSync(join(dirname(h.gateway.jtsIni.path), '.ibgw-sim-login-fault'));
  await h.keeper.clearLoginBlock();
  t.equal(h.keeper.status().loginBlocked, null);
  await h.waitSession('authenticated', 20_000);
});
