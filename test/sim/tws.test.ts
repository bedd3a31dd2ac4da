/**
 * The simulated IB Gateway under the simulated IBC launcher: a real TWS API client library
 * connects and gets its answers; the trusted-IP dialog, the connectivity notices, IBC's command
 * server, and IBC's login outcomes with their log lines and exit codes. Every case runs the
 * compiled launcher and simulator as real processes (`npm run build` first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { fakeGatewayInstall, IBC_HOME, IBCSTART, rawTwsClient, startTwsSim } from '../helpers/sim-tws.js';
import { librarySession, relayFrom } from '../helpers/tws-library.js';
import { waitFor } from '../../testkit/wait-for.js';
import { tempDir } from '../helpers/temp-dir.js';

const START_API = (clientId: number) => [71, 2, clientId, ''];
const isNotice = (code: number) => (f: string[]) => f[0] === '4' && f[3] === String(code);

t.test('a real client library gets the time, managed accounts, positions and account summary', async (t) => {
  const gw = await startTwsSim(t);
  const s = await librarySession(gw.apiPort, 11);
  t.equal(s.serverVersion, 176);
  t.equal(s.accounts, 'DU1234567');
  t.equal(s.nextValidId, 1);
  t.ok(Math.abs(s.time - Date.now() / 1000) < 60, 'currentTime is the gateway clock in epoch seconds');
  t.equal(s.positions.length, 10);
  t.ok(s.positions.every((p) => p.account === 'DU1234567' && typeof p.symbol === 'string'));
  t.same(s.summary.map((e) => e.tag).sort(), ['AccountType', 'NetLiquidation', 'TotalCashValue']);
  t.equal(s.summary.find((e) => e.tag === 'AccountType')?.value, 'DEMO');
  t.same(s.notices.map((n) => n.code).sort(), [2104, 2106, 2158], 'farm status notices after START_API');
  t.match(gw.output(), /IBC: Login has completed/);
  t.match(gw.output(), /IBC: Read-Only API checkbox is now set to: true/);
});

t.test('an address outside TrustedIPs: AcceptIncomingConnectionAction decides', async (t) => {
  t.test('reject: the connection is closed without a word, the trusted one still works', async (t) => {
    const gw = await startTwsSim(t);
    const raw = rawTwsClient(gw.apiPort, { localAddress: '127.0.0.2' });
    await raw.closed;
    t.same(raw.frames, [], 'no server version, no byte at all');
    const relay = await relayFrom('127.0.0.2', gw.apiPort);
    t.teardown(() => relay.close());
    await t.rejects(librarySession(relay.port, 12, 5000), /disconnected/, 'the library through 127.0.0.2 is dropped');
    t.equal((await librarySession(gw.apiPort, 13)).accounts, 'DU1234567');
    t.match(gw.output(), /incoming API connection from 127\.0\.0\.2 \(not in TrustedIPs\): AcceptIncomingConnectionAction=reject/);
  });
  t.test('127.0.0.2 in TrustedIPs gets in', async (t) => {
    const gw = await startTwsSim(t, { trustedIps: ['127.0.0.1', '127.0.0.2'] });
    const relay = await relayFrom('127.0.0.2', gw.apiPort);
    t.teardown(() => relay.close());
    t.equal((await librarySession(relay.port, 14)).accounts, 'DU1234567');
  });
  t.test('manual: the dialog waits for a human and the client for ever', async (t) => {
    const gw = await startTwsSim(t, { ini: { AcceptIncomingConnectionAction: 'manual' } });
    const raw = rawTwsClient(gw.apiPort, { localAddress: '127.0.0.2' });
    t.teardown(() => raw.socket.destroy());
    t.equal(await raw.next(() => true, 500), null, 'no handshake answer');
    t.notOk(raw.socket.destroyed, 'still open');
  });
});

t.test('handshake, START_API, client ids, read-only orders on the wire', async (t) => {
  const gw = await startTwsSim(t);
  const a = rawTwsClient(gw.apiPort);
  t.teardown(() => a.socket.destroy());
  const version = await a.next(() => true);
  t.equal(version?.[0], '176');
  t.match(version?.[1], /^\d{8} \d\d:\d\d:\d\d \S+$/, 'connection time yyyyMMdd HH:mm:ss zone');
  a.send(START_API(5));
  t.same(await a.next((f) => f[0] === '15'), ['15', '1', 'DU1234567']);
  t.same(await a.next((f) => f[0] === '9'), ['9', '1', '1']);
  a.send([3, 1, 0, 'AAPL']);
  const rejected = await a.next(isNotice(321));
  t.equal(rejected?.[2], '1', 'read-only: the order is refused with 321, tied to its id');

  const b = rawTwsClient(gw.apiPort);
  await b.next(() => true);
  b.send(START_API(5));
  t.ok(await b.next(isNotice(326)), 'the same client id again: 326');
  await b.closed;

  const old = rawTwsClient(gw.apiPort, { handshake: false });
  old.socket.write(Buffer.concat([Buffer.from('API\0'), Buffer.from([0, 0, 0, 4]), Buffer.from('v1..')]));
  await old.closed;
  t.same(old.frames, [], 'a version range it cannot parse: closed');
});

t.test('connectivity: 1100 when IBKR is out of reach, data waits, the clock answers; 1102/1101 when back', async (t) => {
  const gw = await startTwsSim(t);
  const c = rawTwsClient(gw.apiPort);
  t.teardown(() => c.socket.destroy());
  await c.next(() => true);
  c.send(START_API(1));
  await c.next(isNotice(2104));
  await gw.control('/fault/unreachable', { on: true });
  t.ok(await c.next(isNotice(1100)), '1100 connectivity lost');
  t.ok(await c.next(isNotice(2103)), 'market data farm broken');
  c.send([61, 1]);
  c.send([49, 1]);
  t.ok(await c.next((f) => f[0] === '49'), 'currentTime still answered (the gateway clock)');
  t.equal(await c.next((f) => f[0] === '62', 500), null, 'positions never come while IBKR is unreachable');
  await gw.control('/fault/unreachable', { on: false });
  t.ok(await c.next(isNotice(1102)), '1102 restored, data maintained');
  t.ok(await c.next((f) => isNotice(2104)(f) && c.frames.indexOf(f) > c.frames.findIndex(isNotice(1100))), 'farm OK again');
  await gw.control('/fault/unreachable', { on: true });
  await gw.control('/fault/unreachable', { on: false, dataLost: true });
  t.ok(await c.next(isNotice(1101)), '1101 restored, data lost');
  await gw.control('/fault/server-broken', {});
  t.ok(await c.next(isNotice(2110)), '2110 server connection broken');
  await gw.control('/fault/farm', { farm: 'ushmds', ok: false });
  t.ok(await c.next(isNotice(2105)), 'HMDS farm broken');
});

t.test('hang: connections are accepted and nothing is answered, the command server included', async (t) => {
  const gw = await startTwsSim(t);
  await gw.control('/fault/hang', { on: true });
  const c = rawTwsClient(gw.apiPort);
  t.teardown(() => c.socket.destroy());
  t.equal(await c.next(() => true, 500), null, 'no server version');
  await t.rejects(gw.command('STOP'), /no answer/);
  await gw.control('/fault/hang', { on: false });
  t.ok(await librarySession(gw.apiPort, 3), 'answers again once the fault is off');
});

t.test("IBC's command server", async (t) => {
  t.test('answers like IBC; only loopback (and ControlFrom) may connect', async (t) => {
    const gw = await startTwsSim(t);
    t.equal(await gw.command('RECONNECTACCOUNT'), 'OK ');
    t.equal(await gw.command('FOO'), 'ERROR Command invalid');
    t.equal(await gw.command('ENABLEAPI'), 'ERROR ENABLEAPI is not valid for the IB Gateway');
    t.equal(await gw.command('EXIT'), 'OK Goodbye');
    t.equal(await gw.command('STOP', '127.0.0.2'), '', 'another address is closed without an answer');
    // The log line comes through the launcher's pipe, which may trail the closed connection.
    await waitFor(() => /IBC: CommandServer denied access to: \/127\.0\.0\.2/.test(gw.output()), 5000, 'the denial in the log');
    t.pass('the denial is logged');
  });
  t.test('STOP: a clean close of the gateway; the launcher exits 0', async (t) => {
    const gw = await startTwsSim(t);
    t.equal(await gw.command('STOP'), 'OK Shutting down: STOP command');
    t.same(await gw.exited, { code: 0, signal: null });
    t.match(gw.output(), /Login has completed: exiting via \[File, Close\] menu/);
    t.match(gw.output(), /Gateway finished/);
  });
  t.test('RESTART: the gateway restarts in the same launcher without credentials', async (t) => {
    const gw = await startTwsSim(t);
    const firstPid = (await gw.control('/state')).pid;
    t.equal(await gw.command('RESTART'), 'OK RESTART in progress');
    await waitFor(async () => {
      const s = await gw.control('/state').catch(() => null);
      return s && s.pid !== firstPid && s.loginState === 'logged-in';
    }, 15_000, 'the restarted gateway');
    t.match(gw.output(), /autorestart file found at .*: authentication will not be required/);
    t.match(gw.output(), /auto-restart: re-authenticating with the stored session, no second factor/);
    t.equal(gw.output().match(/Login attempt: 1/g)?.length, 1, 'no second password login');
    t.equal((await librarySession(gw.apiPort, 4)).accounts, 'DU1234567');
  });
});

t.test('login outcomes: IBC log lines and exit codes', async (t) => {
  t.test('a wrong password: Login failed, then IBC cold-restarts and tries the same password again', async (t) => {
    const gw = await startTwsSim(t, { ini: { IbPassword: 'wrong' }, waitFor: 'none' });
    await waitFor(() => (gw.output().match(/IBC: Login failed/g)?.length ?? 0) >= 2, 20_000, 'a second failed login');
    t.match(gw.output(), /IBC: Cold restart in progress/);
    t.match(gw.output(), /IBC will cold-restart shortly/);
  });
  t.test('a second factor not approved in time: exit 87 (1111) with --on2fatimeout=exit', async (t) => {
    const gw = await startTwsSim(t, {
      simConfig: { users: [{ username: 'demo', password: 'demo1234', accounts: ['U7654321'], paper: false, twoFactor: 'approve' }], secondFactorTimeoutMs: 200 },
      waitFor: 'none',
    });
    t.same(await gw.exited, { code: 87, signal: null });
    t.match(gw.output(), /IBC: Second Factor Authentication initiated/);
    t.match(gw.output(), /IBC: IBC closing because login has not completed after Second Factor Authentication/);
    t.match(gw.output(), /IBC: Exiting after error with exit code=1111/);
    t.match(gw.output(), /IBC returned exit status 87/);
  });
  t.test('a second factor approved: logged in', async (t) => {
    const gw = await startTwsSim(t, {
      simConfig: { users: [{ username: 'demo', password: 'demo1234', accounts: ['U7654321'], paper: false, twoFactor: 'approve' }] },
      waitFor: 'none',
    });
    await waitFor(() => gw.output().includes('Second Factor Authentication initiated'), 10_000, 'the 2FA prompt');
    await gw.control('/login/approve', {});
    await waitFor(async () => (await gw.control('/state')).apiPort, 10_000, 'the API port');
    t.equal((await librarySession(gw.apiPort, 2)).accounts, 'U7654321');
  });
  t.test('an existing session: secondary closes this gateway, primary continues', async (t) => {
    const secondary = await startTwsSim(t, { simConfig: { existingSession: true }, waitFor: 'none' });
    t.same(await secondary.exited, { code: 0, signal: null });
    t.match(secondary.output(), /IBC: End this session and let the other session proceed \(scenario 2\)/);
    const primary = await startTwsSim(t, { simConfig: { existingSession: true }, ini: { ExistingSessionDetectedAction: 'primary' } });
    t.match(primary.output(), /continue this one \(scenario 3\)/);
  });
});

t.test("the launcher checks IBC's arguments with IBC's exit codes", async (t) => {
  const dir = tempDir(t, 'ibgw-ibcargs-');
  const install = fakeGatewayInstall(dir);
  const run = (args: string[]) => spawnSync(IBCSTART, args, { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const base = [`--tws-path=${install.twsPath}`, `--tws-settings-path=${dir}`, `--ibc-path=${IBC_HOME}`];
  t.equal(run(['-g', ...base]).status, 2, 'no TWS version');
  t.equal(run(['1019', '-g', ...base, '--mode=demo']).status, 3, 'bad trading mode');
  t.equal(run(['1019', '-g', ...base, '--bogus']).status, 3, 'unknown option');
  t.equal(run(['1030', '-g', ...base, `--ibc-ini=${join(dir, 'none.ini')}`]).status, 4, 'version not installed');
  const missing = run(['1019', '-g', ...base, `--ibc-ini=${join(dir, 'none.ini')}`]);
  t.equal(missing.status, 6, 'config.ini missing');
  t.match(missing.stderr, /IBC configuration file: .* does not exist/);
  t.ok(existsSync(join(IBC_HOME, 'gatewaystart.sh')));
  const background = spawnSync(join(IBC_HOME, 'gatewaystart.sh'), [], { encoding: 'utf8' });
  t.equal(background.status, 0, 'without -inline gatewaystart.sh returns at once');
  t.match(background.stdout, /without -inline/);
});
