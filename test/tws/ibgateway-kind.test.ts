/**
 * gateway.kind ibgateway end to end against the simulated IBC home and a fake IB Gateway
 * install: the real kind's launch (managed config.ini and jts.ini, ibcstart.sh under Xvfb), the
 * supervisor, the TWS keeper. Xvfb must die with the group — on stop and when the daemon is
 * killed with SIGKILL — and IBC's login outcomes must reach the login budget.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { createGateway } from '../../daemon/gateway/index.js';
import { cmdline, groupPids, isAlive, killQuietly } from '../helpers/process-table.js';
import { fakeGatewayInstall, IBC_HOME } from '../helpers/sim-tws.js';
import { baseOptions, fixture } from '../helpers/supervisor-harness.js';
import { tempDir } from '../helpers/temp-dir.js';
import { twsHarness, type TwsHarnessOptions } from '../helpers/tws-harness.js';
import { waitFor } from '../../testkit/wait-for.js';

const CREDENTIALS = { username: 'demo', password: 'demo1234', mode: 'paper' as const };

/** The kind's options for a fake install and the bundled simulated IBC, plus the simulator's settings. */
function realKind(t: { teardown(fn: () => unknown): void }, simConfig: Record<string, unknown> = {}, extra: TwsHarnessOptions = {}): TwsHarnessOptions {
  const dir = tempDir(t, 'ibgw-ibgw-');
  const install = fakeGatewayInstall(dir);
  const simPath = join(dir, 'sim-tws.json');
  writeFileSync(simPath, JSON.stringify({ loginDelayMs: 50, authDelayMs: 20, ...simConfig }));
  return {
    kind: 'ibgateway', credentials: CREDENTIALS, ...extra,
    ibc: { home: IBC_HOME, display: 'xvfb', ...extra.ibc },
    ibgateway: { home: install.programPath, settingsPath: join(dir, 'settings'), ...extra.ibgateway },
    env: { IBGW_SIM_NODE: process.execPath, IBGW_SIM_TWS_CONFIG: simPath, ...extra.env },
  };
}

const xvfbOf = (pgid: number) => groupPids(pgid).find((p) => cmdline(p).startsWith('Xvfb'));

t.test('IBC under Xvfb in the gateway group: ready on the handshake, Xvfb gone after stop', async (t) => {
  const h = await twsHarness(t, realKind(t));
  await h.waitSession('authenticated');
  const pid = h.sup.status().pid!;
  const xvfb = xvfbOf(pid);
  t.ok(xvfb, 'Xvfb runs in the gateway process group');
  t.match(h.lines.join('\n'), /with-xvfb: Xvfb \(pid \d+\) serves display :\d+/);
  t.match(cmdline(pid), /ibcstart\.sh 1019 -g --tws-path=.* --ibc-ini=.*config\.ini --mode=paper --on2fatimeout=exit/);
  t.notMatch(cmdline(pid), /demo1234/, 'no credentials on the command line');
  await h.sup.stop('test');
  t.notOk(isAlive(xvfb!), 'Xvfb gone after the stop');
  t.equal(groupPids(pid).length, 0);
});

t.test('kill -9 of the daemon: Xvfb and the gateway die with the group', async (t) => {
  const opts = realKind(t);
  const dataDir = tempDir(t, 'ibgw-kill9-');
  const harnessConfig = await twsHarness(t, { ...opts, autoStart: false });
  // The launch spec of the real kind, handed to a stand-in daemon process that is then SIGKILLed.
  const gateway = createGateway(harnessConfig.config, { dataDir, credentials: async () => CREDENTIALS, watch: false });
  t.teardown(() => gateway.close());
  const { beforeStop: _hook, ...spec } = await gateway.launch();
  const options = { ...baseOptions(dataDir, { stopGraceMs: 300, startTimeoutMs: 15000 }), random: undefined };
  const daemon = spawn(process.execPath, [fixture('daemon-child.mjs'), JSON.stringify({ spec, options })], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } });
  const groups: number[] = [];
  t.teardown(() => killQuietly({ pids: [daemon.pid!], groups }));
  // Bounded: a gateway that never starts (no Xvfb on the machine) leaves the stand-in retrying
  // without a word, and the test would sit out tap's whole timeout.
  const signal = AbortSignal.timeout(30_000);
  const [line] = (await Promise.race([
    once(createInterface({ input: daemon.stdout! }), 'line', { signal }),
    once(daemon, 'exit', { signal }).then(() => { throw new Error('daemon-child exited before ready'); }),
  ]).catch((err: unknown) => {
    throw signal.aborted ? new Error('daemon-child: no gateway ready within 30 s (is Xvfb installed? apt-get install xvfb)') : err;
  })) as [string];
  const pid = (JSON.parse(line) as { ready: number }).ready;
  groups.push(pid);
  const xvfb = await waitFor(() => xvfbOf(pid), 5000, 'Xvfb in the group');
  const members = groupPids(pid);
  daemon.kill('SIGKILL');
  await once(daemon, 'exit');
  await waitFor(() => !isAlive(xvfb) && groupPids(pid).length === 0, 5000, 'the whole group gone');
  for (const p of members) t.notOk(isAlive(p), `pid ${p} (${members.length} members) gone`);
});

t.test('a wrong password is not retried: IBC says Login failed, logins are blocked, the group stops', async (t) => {
  const h = await twsHarness(t, realKind(t, { loginDelayMs: 1000 }, { credentials: { ...CREDENTIALS, password: 'wrong-password' } }));
  await h.waitSession('login-blocked');
  await h.waitState('stopped');
  t.equal(h.lines.filter((l) => /IBC: Login attempt: \d+/.test(l)).length, 1, 'one login attempt only: the cold restart was cut');
  t.ok(h.events.some((e) => e.type === 'session.login-blocked'));
  t.match(h.keeper.status().loginBlocked?.reason, /login failed/);
  t.notMatch(h.lines.join('\n') + JSON.stringify(h.events), /wrong-password/, 'the password appears nowhere');
  // An operator start while blocked: refused before any login, straight to fatal (no retry loop).
  await h.sup.start('operator');
  t.equal(h.sup.status().state, 'fatal');
  t.equal(h.transitions.at(-1)?.code, 'IBGW_LOGIN_BLOCKED');
  t.equal(h.keeper.status().loginsToday, 1, 'the refused start counted no login');
});

t.test('a second factor not approved in time: exit 87, every retry a budgeted login', async (t) => {
  const sim = { users: [{ username: 'demo', password: 'demo1234', accounts: ['U7654321'], paper: false, twoFactor: 'approve' }], secondFactorTimeoutMs: 150 };
  const h = await twsHarness(t, realKind(t, sim, { session: { loginBudget: { perDay: 10, perHour: 2 } } }));
  await h.waitState('fatal', 20_000);
  t.equal(h.transitions.at(-1)?.code, 'IBGW_LOGIN_BUDGET', 'the third start is refused by the hourly budget');
  const exits = h.transitions.filter((e) => e.exitCode === 87);
  t.equal(exits.length, 2, 'two logins, each ended by IBC with 87');
  t.equal(h.keeper.status().loginsToday, 2);
  t.ok(h.events.some((e) => e.type === 'session.ibc' && e.data?.outcome === 'second-factor-timeout'));
  t.ok(h.events.some((e) => e.type === 'session.login-budget'));
  t.equal(h.keeper.status().loginBlocked, null, 'not blocked: a spent budget, not a rejected password');
});

t.test('another session holds the login, policy report: IBC gives way and the daemon does not fight it', async (t) => {
  const h = await twsHarness(t, realKind(t, { existingSession: true }, { session: { competing: 'report' } }));
  await h.waitSession('competing');
  await h.waitState('stopped');
  t.match(h.lines.join('\n'), /End this session and let the other session proceed \(scenario 2\)/);
  t.match(readFileSync(h.gateway.configIni.path, 'utf8'), /^ExistingSessionDetectedAction=secondary$/m);
});

t.test('config.ini and jts.ini: minimal edits of existing files, 0600, versions, drift', async (t) => {
  const opts = realKind(t);
  const settings = opts.ibgateway!.settingsPath as string;
  mkdirSync(settings, { recursive: true });
  const userJts = '[IBGateway]\nWriteDebug=false\nTrustedIPs=10.0.0.5\nMainWindow.Height=550\nLocalServerPort=4000\nApiOnly=true\n\n[Logon]\nLocale=en\nUseSSL=true\n';
  writeFileSync(join(settings, 'jts.ini'), userJts);
  const h = await twsHarness(t, { ...opts, ibgateway: { ...opts.ibgateway, trustedIps: ['10.0.0.5'] } });
  await h.waitSession('authenticated');

  const jts = readFileSync(h.gateway.jtsIni.path, 'utf8');
  const changed = jts.split('\n').filter((l, i) => l !== userJts.split('\n')[i]);
  t.same(changed, ['TrustedIPs=10.0.0.5,127.0.0.1'], "one line changed in the user's jts.ini: the probe address joined TrustedIPs");
  t.equal(statSync(h.gateway.jtsIni.path).mode & 0o777, 0o600);

  const template = readFileSync(join(IBC_HOME, 'config.ini'), 'utf8').split('\n');
  const ini = readFileSync(h.gateway.configIni.path, 'utf8').split('\n');
  t.equal(ini.length, template.length, 'no line added or removed: every owned key is set where the template has it');
  const differing = ini.filter((l, i) => l !== template[i]).map((l) => l.split('=')[0]);
  t.ok(differing.every((k) => ['IbLoginId', 'IbPassword', 'TradingMode', 'OverrideTwsApiPort', 'ReadOnlyApi', 'AcceptIncomingConnectionAction',
    'ExistingSessionDetectedAction', 'ReloginAfterSecondFactorAuthenticationTimeout', 'CommandServerPort', 'BindAddress', 'ControlFrom', 'AutoRestartTime'].includes(k!)),
  `only owned keys differ from the template: ${differing.join(', ')}`);
  t.ok(template.filter((l) => l.startsWith('#')).every((c) => ini.includes(c)), 'every template comment kept');

  // Drift: the password edited by hand is put back; another IBC key is adopted and restarts the gateway.
  const pid = h.sup.status().pid;
  const path = h.gateway.configIni.path;
  writeFileSync(path, readFileSync(path, 'utf8').replace(/^IbPassword=.*$/m, 'IbPassword=typo').replace(/^AcceptIncomingConnectionAction=.*$/m, 'AcceptIncomingConnectionAction=reject\nMinimizeMainWindow=yes'));
  await waitFor(() => h.events.some((e) => e.type === 'conf.drift' && e.data?.action === 'restored'), 10_000, 'the owned key restored');
  t.match(readFileSync(path, 'utf8'), /^IbPassword=demo1234$/m);
  t.match(readFileSync(path, 'utf8'), /^MinimizeMainWindow=yes$/m, 'the added key adopted');
  t.same(h.events.find((e) => e.type === 'conf.drift' && e.data?.action === 'restored')?.data?.keys, ['IbPassword']);
  t.notMatch(JSON.stringify(h.events), /typo|demo1234/, 'drift events name keys, never values');
  await waitFor(() => h.sup.status().pid !== pid && h.sup.status().state === 'running', 20_000, 'the restart that applies the adopted key');
  t.ok((await h.gateway.configIni.versions()).length >= 1, 'earlier contents kept as versions');
  t.equal(statSync(path).mode & 0o777, 0o600, 'still 0600 after the drift repair');
});
