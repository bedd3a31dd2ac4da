/**
 * The login driver when things go wrong: a locked account, an abort mid-push, the worker killed
 * under the browser, failures before any browser starts, a page that does not match the
 * selectors — and the keeper logging in through the driver's LoginFunction. After every attempt
 * /proc shows nothing of it and no output holds a secret (checkAfter).
 */
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import t from 'tap';
import { Value } from '@sinclair/typebox/value';
import { LoginConfigSchema, type LoginConfig } from '../../daemon/config/login-schema.js';
import { browserGroup, checkAfter, creds, loginContext, makeDriver, resetSim, startLoginSim } from '../helpers/login-harness.js';
import { isAlive, processesUnder } from '../helpers/process-table.js';
import { startKeeper, waitState } from '../helpers/session-harness.js';
import { type Sim } from '../helpers/sim.js';
import { waitFor } from '../../testkit/wait-for.js';

let sim: Sim;
t.before(async () => {
  sim = await startLoginSim(t);
});

t.test('a locked account is recognised and not retried', async (t) => {
  await resetSim(sim);
  for (let i = 0; i < 5; i++) await sim.request('POST', '/sso/api/login', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo', password: 'x' }) });
  t.same((await sim.control('/state')).lockedUsers, ['demo'], 'locked from outside');
  const run = makeDriver(t, sim, creds('demo'));
  const attempt = await run.driver.attempt(loginContext(sim));
  t.match(attempt, { result: 'rejected' });
  t.equal(attempt.error?.code, 'IBGW_LOGIN_LOCKED');
  await checkAfter(t, run, attempt);
});

t.test('aborted while waiting for a push: the browser is gone at once', async (t) => {
  await resetSim(sim);
  const run = makeDriver(t, sim, creds('push'));
  const abort = new AbortController();
  const pending = run.driver.attempt(loginContext(sim, abort.signal));
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
  await resetSim(sim);
  const run = makeDriver(t, sim, creds('push'));
  const pending = run.driver.attempt(loginContext(sim));
  await waitFor(() => run.events.some((e) => e.type === 'login.push-pending'), 20_000, 'the push');
  const group = browserGroup(run.dataDir)!;
  const worker = processesUnder(run.dataDir).find((p) => /browser-worker\.js/.test(p.cmd));
  t.ok(worker, 'the worker runs inside the attempt\'s profile folder');
  // Chromium's singleton socket: a folder under TMPDIR that a killed browser never removes.
  const profile = readdirSync(join(run.dataDir, 'login')).find((n) => n.startsWith('browser-'))!;
  const socketDir = dirname(readlinkSync(join(run.dataDir, 'login', profile, 'SingletonSocket')));
  t.ok(socketDir.startsWith(join(run.dataDir, 'login', profile) + sep), `the browser's temp folder ${socketDir} is inside the attempt's`);
  process.kill(worker!.pid, 'SIGKILL');
  const attempt = await pending;
  t.match(attempt, { result: 'failed' });
  t.equal(attempt.error?.code, 'IBGW_LOGIN_BROWSER_FAILED');
  // Chromium may leave by itself when its pipe to the worker closes, or be killed by the sweep: either way, gone.
  for (const pid of group.members) t.notOk(isAlive(pid), `browser process ${pid} is gone`);
  t.notOk(existsSync(socketDir), 'its temp folder went with the attempt');
  await checkAfter(t, run, attempt);
});

t.test('failures before any browser starts: no credentials, no Chromium, an untrusted certificate', async (t) => {
  const none = makeDriver(t, sim, null);
  t.equal((await none.driver.attempt(loginContext(sim))).error?.code, 'IBGW_LOGIN_NO_CREDENTIALS');

  t.equal(await none.driver.available(), null, 'Chromium and playwright-core are installed here');
  const missing = makeDriver(t, sim, creds('demo'), { chromiumPath: '/nonexistent/chromium' });
  t.equal((await missing.driver.available())?.code, 'IBGW_LOGIN_BROWSER_MISSING', 'available() says so before any attempt');
  const noBrowser = await missing.driver.attempt(loginContext(sim));
  t.match(noBrowser, { result: 'failed', browserPid: null });
  t.equal(noBrowser.error?.code, 'IBGW_LOGIN_BROWSER_MISSING');
  t.match(noBrowser.detail, /Debian package chromium/, 'names the package to install');

  // No CA: the system's store, which has never heard of the daemon's local CA.
  const untrusted = makeDriver(t, sim, creds('demo'), {}, async () => null);
  const refused = await untrusted.driver.attempt(loginContext(sim));
  t.equal(refused.error?.code, 'IBGW_LOGIN_CERTIFICATE');
  t.equal(refused.browserPid, null, 'no browser for an untrusted gateway');
  await checkAfter(t, untrusted, refused);
  await checkAfter(t, missing, noBrowser);
});

t.test('a page that does not match the selectors: a page failure naming the selector', async (t) => {
  await resetSim(sim);
  const run = makeDriver(t, sim, creds('demo'), { selectors: { ...(Value.Create(LoginConfigSchema) as LoginConfig).selectors, username: '#user_name' }, timeouts: { pageLoadMs: 1500 } as LoginConfig['timeouts'] });
  const attempt = await run.driver.attempt(loginContext(sim));
  t.match(attempt, { result: 'failed', screenshot: /-page\.png$/ });
  t.equal(attempt.error?.code, 'IBGW_LOGIN_PAGE');
  t.match(attempt.detail, /#user_name/);
  t.same((await sim.control('/state')).failedLogins, {}, 'nothing was submitted');
  await checkAfter(t, run, attempt);
});

t.test('the keeper logs in unattended through the driver\'s LoginFunction', async (t) => {
  await resetSim(sim);
  const run = makeDriver(t, sim, creds('demo'));
  const h = startKeeper(t, sim, { loginTimeoutMs: 60_000 }, { login: run.driver.login });
  await waitState(h, 'authenticated', 30_000);
  t.match(h.keeper.status().ladder.lastRecovery, { kind: 'login', result: 'ok', detail: /logged in/ });
  t.equal(run.driver.status().last?.result, 'ok');
  t.same(processesUnder(run.dataDir), []);
});
