/**
 * The unattended login against a real simulated gateway over TLS, verified with the daemon's
 * CA: each second factor and each way it ends, in a real headless Chromium started by the
 * driver's worker. After every attempt /proc must show nothing of it (browser, crash handler,
 * worker), and no output — events, logs, results, screenshots — may hold the password or the
 * TOTP secret. One simulator for the file; each test its own data dir and driver.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { Value } from '@sinclair/typebox/value';
import { LoginConfigSchema, type LoginConfig } from '../../daemon/login/config-schema.js';
import { LoginDriver, type LoginAttempt, type LoginCredentials } from '../../daemon/login/driver.js';
import type { ServiceEvent } from '../../daemon/events.js';
import { createLogger } from '../../daemon/logger.js';
import type { LoginContext } from '../../daemon/session/recovery.js';
import { isAlive, processesUnder, stat } from '../helpers/process-table.js';
import { startTestSim, startKeeper, waitState } from '../helpers/session-harness.js';
import { startSim, waitFor, type Sim } from '../helpers/sim.js';

const PASSWORD = 'pw-Secret-7731';
const TOTP_SECRET = 'KRUGKIDROVUWG2ZAMJZG653OEBTG66BA';
const users = [
  { username: 'demo', password: PASSWORD, accounts: ['DU1234567'], paper: true, twoFactor: 'none' },
  { username: 'push', password: PASSWORD, accounts: ['U7654321'], paper: false, twoFactor: 'push' },
  { username: 'totp', password: PASSWORD, accounts: ['U1111111'], paper: false, twoFactor: 'totp', totpSecret: TOTP_SECRET },
];

let sim: Sim;
t.before(async () => {
  sim = await startTestSim(t, { simConfig: { users, secondFactorTimeoutMs: 60_000 }, conf: { authDelay: 200 } });
});

interface Run {
  driver: LoginDriver;
  dataDir: string;
  events: ServiceEvent[];
  logs: () => string;
}

function makeDriver(t: { teardown(fn: () => unknown): void }, credentials: LoginCredentials | null, over: Partial<LoginConfig> = {}, ca?: () => Promise<string | null>): Run {
  const dataDir = mkdtempSync(join(tmpdir(), 'ibgw-login-'));
  let logs = '';
  const sink = new Writable({ write(chunk, _enc, done) { logs += chunk.toString(); done(); } });
  const events: ServiceEvent[] = [];
  const config = { ...(Value.Create(LoginConfigSchema) as LoginConfig), ...over };
  config.timeouts = { ...config.timeouts, pageLoadMs: 15_000, stepMs: 15_000, authenticatedMs: 10_000, closeMs: 3000, ...over.timeouts };
  const driver = new LoginDriver({
    config, dataDir, ca: ca ?? (async () => sim.ca), credentials: async () => credentials,
    onEvent: (e) => events.push(e), logger: createLogger('debug', sink),
  });
  t.teardown(async () => {
    await driver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { driver, dataDir, events, logs: () => logs };
}

function context(signal: AbortSignal = new AbortController().signal): LoginContext {
  return { baseUrl: sim.baseUrl, loginUrl: `${sim.baseUrl}/`, attempt: 1, reason: 'test', signal };
}

/** Nothing of the attempt is alive, and no output carries a secret. */
async function checkAfter(t: Test, run: Run, attempt: LoginAttempt): Promise<void> {
  if (attempt.browserPid !== null) t.notOk(isAlive(attempt.browserPid), `browser ${attempt.browserPid} is gone`);
  t.same(processesUnder(run.dataDir), [], 'no process of the attempt is left in /proc');
  const outputs = JSON.stringify(run.events) + run.logs() + attempt.detail + (attempt.error?.message ?? '') + JSON.stringify(attempt);
  t.notOk(outputs.includes(PASSWORD), 'no password in events, logs or the result');
  t.notOk(outputs.includes(TOTP_SECRET), 'no TOTP secret either');
  const kept = existsSync(join(run.dataDir, 'login')) ? readdirSync(join(run.dataDir, 'login')) : [];
  t.same(kept.filter((n) => !n.endsWith('.png')), [], 'no profile folder is kept');
}

/** The attempt's browser processes while it runs: [leader pid, its group's members]. */
function browserGroup(dataDir: string): { leader: number; members: number[]; others: number[] } | null {
  const procs = processesUnder(dataDir).map((p) => ({ ...p, stat: stat(p.pid)! })).filter((p) => p.stat && /chromium/.test(p.cmd));
  const leader = procs.find((p) => p.stat.pgid === p.pid);
  if (!leader) return null;
  return { leader: leader.pid, members: procs.filter((p) => p.stat.pgid === leader.pid).map((p) => p.pid), others: procs.filter((p) => p.stat.pgid !== leader.pid).map((p) => p.pid) };
}

const creds = (username: string, over: Partial<LoginCredentials> = {}): LoginCredentials => ({
  username, password: PASSWORD, mode: username === 'demo' ? 'paper' : 'live', ...over,
});

async function resetSim(): Promise<void> {
  await sim.control('/session/expire', {});
  await sim.control('/users/unlock', {});
}

t.test('no second factor: logged in, authenticated, browser gone', async (t) => {
  await resetSim();
  const run = makeDriver(t, creds('demo'));
  await run.driver.start();
  const attempt = await run.driver.attempt(context());
  t.match(attempt, { result: 'ok', error: null, authenticated: true, secondFactor: 'none', screenshot: null });
  t.ok(attempt.browserPid, 'the browser was seen');
  const state = await sim.control('/state');
  t.match(state.session, { state: 'authenticated', user: 'demo' });
  t.match(run.events.map((e) => e.type), ['login.succeeded']);
  await checkAfter(t, run, attempt);
});

t.test('push approved on the device while the driver waits', async (t) => {
  await resetSim();
  const run = makeDriver(t, creds('push'));
  const pending = run.driver.attempt(context());
  await waitFor(() => run.events.some((e) => e.type === 'login.push-pending'), 20_000, 'the push-pending event');
  await waitFor(async () => (await sim.control('/state')).pendingPushes.length === 1, 5000, 'the push at the simulator');
  t.match(run.events.find((e) => e.type === 'login.push-pending'), { level: 'warn', message: /approve the login on your device/, data: { timeoutMs: 180_000 } });
  const group = browserGroup(run.dataDir);
  t.ok(group, 'Chromium leads a process group of its own');
  t.ok(group!.members.length > 1, 'its helpers are in that group');
  t.not(group!.leader, process.pid);
  t.not(stat(group!.leader)!.pgid, stat(process.pid)!.pgid, 'not the daemon\'s group');
  await sim.control('/session/approve', { username: 'push' });
  const attempt = await pending;
  t.match(attempt, { result: 'ok', authenticated: true, secondFactor: 'push' });
  t.equal(attempt.browserPid, group!.leader);
  await checkAfter(t, run, attempt);
});

t.test('push denied: rejected (no more pushes), screenshot kept with the password emptied', async (t) => {
  await resetSim();
  const run = makeDriver(t, creds('push'));
  const pending = run.driver.attempt(context());
  await waitFor(async () => (await sim.control('/state')).pendingPushes.length === 1, 20_000, 'the push');
  await sim.control('/session/deny', {});
  const attempt = await pending;
  t.match(attempt, { result: 'rejected', secondFactor: 'push', passwordCleared: true, screenshot: /^login-failed-.*-push_denied\.png$/ });
  t.equal(attempt.error?.code, 'IBGW_LOGIN_PUSH_DENIED');
  const png = readFileSync(join(run.dataDir, 'login', attempt.screenshot!));
  t.equal(png.subarray(1, 4).toString(), 'PNG');
  t.notOk(png.includes(PASSWORD));
  t.equal(statSync(join(run.dataDir, 'login', attempt.screenshot!)).mode & 0o777, 0o600);
  await checkAfter(t, run, attempt);
});

t.test('push not approved within pushTimeoutMs: a plain failure', async (t) => {
  await resetSim();
  const run = makeDriver(t, creds('push'), { pushTimeoutMs: 1500 });
  const attempt = await run.driver.attempt(context());
  t.match(attempt, { result: 'failed', secondFactor: 'push' });
  t.equal(attempt.error?.code, 'IBGW_LOGIN_PUSH_TIMEOUT');
  t.equal((await sim.control('/state')).session.state, 'none');
  await checkAfter(t, run, attempt);
});

t.test('TOTP from the stored secret', async (t) => {
  await resetSim();
  const run = makeDriver(t, creds('totp', { totpSecret: TOTP_SECRET }));
  const attempt = await run.driver.attempt(context());
  t.match(attempt, { result: 'ok', authenticated: true, secondFactor: 'totp' });
  t.same((await sim.control('/state')).failedLogins, {});
  await checkAfter(t, run, attempt);
});

t.test('a wrong TOTP secret: the code is rejected once, and not retried', async (t) => {
  await resetSim();
  const run = makeDriver(t, creds('totp', { totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' }));
  const attempt = await run.driver.attempt(context());
  t.match(attempt, { result: 'rejected', secondFactor: 'totp' });
  t.equal(attempt.error?.code, 'IBGW_LOGIN_CODE_REJECTED');
  t.same((await sim.control('/state')).failedLogins, { totp: 1 }, 'exactly one code was tried');
  await checkAfter(t, run, attempt);
});

t.test('a wrong password: rejected after exactly one try, screenshot without the password', async (t) => {
  await resetSim();
  const run = makeDriver(t, creds('demo', { password: 'not-the-password' }));
  const attempt = await run.driver.attempt(context());
  t.match(attempt, { result: 'rejected', passwordCleared: true, screenshot: /\.png$/ });
  t.equal(attempt.error?.code, 'IBGW_LOGIN_REJECTED');
  t.match(attempt.detail, /Invalid username password combination/, 'IBKR\'s words');
  t.same((await sim.control('/state')).failedLogins, { demo: 1 }, 'the simulator counted one failed login');
  t.notOk(readFileSync(join(run.dataDir, 'login', attempt.screenshot!)).includes('not-the-password'));
  t.notOk(attempt.detail.includes('not-the-password'));
  t.match(run.events, [{ type: 'login.failed', level: 'error', data: { code: 'IBGW_LOGIN_REJECTED', result: 'rejected' } }]);
  await checkAfter(t, run, attempt);
});

t.test('a locked account is recognised and not retried', async (t) => {
  await resetSim();
  for (let i = 0; i < 5; i++) await sim.request('POST', '/sso/api/login', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo', password: 'x' }) });
  t.same((await sim.control('/state')).lockedUsers, ['demo'], 'locked from outside');
  const run = makeDriver(t, creds('demo'));
  const attempt = await run.driver.attempt(context());
  t.match(attempt, { result: 'rejected' });
  t.equal(attempt.error?.code, 'IBGW_LOGIN_LOCKED');
  await checkAfter(t, run, attempt);
});

t.test('aborted while waiting for a push: the browser is gone at once', async (t) => {
  await resetSim();
  const run = makeDriver(t, creds('push'));
  const abort = new AbortController();
  const pending = run.driver.attempt(context(abort.signal));
  await waitFor(() => run.events.some((e) => e.type === 'login.push-pending'), 20_000, 'the push');
  t.ok(run.driver.status().running);
  abort.abort();
  const attempt = await pending;
  t.match(attempt, { result: 'failed' });
  t.equal(attempt.error?.code, 'IBGW_LOGIN_ABORTED');
  t.notOk(run.driver.status().running);
  await checkAfter(t, run, attempt);
});

t.test('the worker killed mid-attempt: the daemon still sweeps the browser away', async (t) => {
  await resetSim();
  const run = makeDriver(t, creds('push'));
  const pending = run.driver.attempt(context());
  await waitFor(() => run.events.some((e) => e.type === 'login.push-pending'), 20_000, 'the push');
  const group = browserGroup(run.dataDir)!;
  const worker = processesUnder(run.dataDir).find((p) => /browser-worker\.js/.test(p.cmd));
  t.ok(worker, 'the worker runs inside the attempt\'s profile folder');
  process.kill(worker!.pid, 'SIGKILL');
  const attempt = await pending;
  t.match(attempt, { result: 'failed' });
  t.equal(attempt.error?.code, 'IBGW_LOGIN_BROWSER_FAILED');
  // Chromium may leave by itself when its pipe to the worker closes, or be killed by the sweep: either way, gone.
  for (const pid of group.members) t.notOk(isAlive(pid), `browser process ${pid} is gone`);
  await checkAfter(t, run, attempt);
});

t.test('failures before any browser starts: no credentials, no Chromium, an untrusted certificate', async (t) => {
  const none = makeDriver(t, null);
  t.equal((await none.driver.attempt(context())).error?.code, 'IBGW_LOGIN_NO_CREDENTIALS');

  const missing = makeDriver(t, creds('demo'), { chromiumPath: '/nonexistent/chromium' });
  const noBrowser = await missing.driver.attempt(context());
  t.match(noBrowser, { result: 'failed', browserPid: null });
  t.equal(noBrowser.error?.code, 'IBGW_LOGIN_BROWSER_MISSING');
  t.match(noBrowser.detail, /Debian package chromium/, 'names the package to install');

  // No CA: the system's store, which has never heard of the daemon's local CA.
  const untrusted = makeDriver(t, creds('demo'), {}, async () => null);
  const refused = await untrusted.driver.attempt(context());
  t.equal(refused.error?.code, 'IBGW_LOGIN_CERTIFICATE');
  t.equal(refused.browserPid, null, 'no browser for an untrusted gateway');
  await checkAfter(t, untrusted, refused);
  await checkAfter(t, missing, noBrowser);
});

t.test('a page that does not match the selectors: a page failure naming the selector', async (t) => {
  await resetSim();
  const run = makeDriver(t, creds('demo'), { selectors: { ...(Value.Create(LoginConfigSchema) as LoginConfig).selectors, username: '#user_name' }, timeouts: { pageLoadMs: 1500 } as LoginConfig['timeouts'] });
  const attempt = await run.driver.attempt(context());
  t.match(attempt, { result: 'failed', screenshot: /-page\.png$/ });
  t.equal(attempt.error?.code, 'IBGW_LOGIN_PAGE');
  t.match(attempt.detail, /#user_name/);
  t.same((await sim.control('/state')).failedLogins, {}, 'nothing was submitted');
  await checkAfter(t, run, attempt);
});

t.test('the keeper logs in unattended through the driver\'s LoginFunction', async (t) => {
  const keeperSim = await startSim(t, { simConfig: { users, rateLimits: { globalPerSec: 0, perEndpoint: { '/tickle': null } } }, conf: { authDelay: 100 } });
  const run = makeDriver(t, creds('demo'));
  const h = startKeeper(t, keeperSim, { loginTimeoutMs: 60_000 }, { login: run.driver.login, loginTimeoutMs: 60_000 });
  await waitState(h, 'authenticated', 30_000);
  t.match(h.keeper.status().ladder.lastRecovery, { kind: 'login', result: 'ok', detail: /logged in/ });
  t.equal(run.driver.status().last?.result, 'ok');
  t.same(processesUnder(run.dataDir), []);
});
