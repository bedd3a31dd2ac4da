/**
 * The unattended login against a real simulated gateway over TLS, verified with the daemon's
 * CA: no second factor, IB Key push (approved, denied, unanswered), TOTP (right and wrong
 * secret) and a wrong password, each in a real headless Chromium started by the driver's
 * worker. After every attempt /proc shows nothing of it and no output holds a secret
 * (checkAfter). Failures, aborts and cleanup: driver-failures.test.ts.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { browserGroup, checkAfter, creds, loginContext, makeDriver, PASSWORD, resetSim, startLoginSim, TOTP_SECRET } from '../helpers/login-harness.js';
import { stat } from '../helpers/process-table.js';
import { type Sim } from '../helpers/sim.js';
import { waitFor } from '../../testkit/wait-for.js';

let sim: Sim;
t.before(async () => {
  sim = await startLoginSim(t);
});

t.test('no second factor: logged in, authenticated, browser gone', async (t) => {
  await resetSim(sim);
  const run = makeDriver(t, sim, creds('demo'));
  await run.driver.start();
  const attempt = await run.driver.attempt(loginContext(sim));
  t.match(attempt, { result: 'ok', error: null, authenticated: true, secondFactor: 'none', screenshot: null });
  t.ok(attempt.browserPid, 'the browser was seen');
  const state = await sim.control('/state');
  t.match(state.session, { state: 'authenticated', user: 'demo' });
  t.match(run.events.map((e) => e.type), ['login.succeeded']);
  await checkAfter(t, run, attempt);
});

t.test('push approved on the device while the driver waits', async (t) => {
  await resetSim(sim);
  const run = makeDriver(t, sim, creds('push'));
  const pending = run.driver.attempt(loginContext(sim));
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
  await resetSim(sim);
  const run = makeDriver(t, sim, creds('push'));
  const pending = run.driver.attempt(loginContext(sim));
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
  await resetSim(sim);
  const run = makeDriver(t, sim, creds('push'), { pushTimeoutMs: 1500 });
  const attempt = await run.driver.attempt(loginContext(sim));
  t.match(attempt, { result: 'failed', secondFactor: 'push' });
  t.equal(attempt.error?.code, 'IBGW_LOGIN_PUSH_TIMEOUT');
  t.equal((await sim.control('/state')).session.state, 'none');
  await checkAfter(t, run, attempt);
});

t.test('TOTP from the stored secret', async (t) => {
  await resetSim(sim);
  const run = makeDriver(t, sim, creds('totp', { totpSecret: TOTP_SECRET }));
  const attempt = await run.driver.attempt(loginContext(sim));
  t.match(attempt, { result: 'ok', authenticated: true, secondFactor: 'totp' });
  t.same((await sim.control('/state')).failedLogins, {});
  await checkAfter(t, run, attempt);
});

t.test('a wrong TOTP secret: the code is rejected once, and not retried', async (t) => {
  await resetSim(sim);
  const run = makeDriver(t, sim, creds('totp', { totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' }));
  const attempt = await run.driver.attempt(loginContext(sim));
  t.match(attempt, { result: 'rejected', secondFactor: 'totp' });
  t.equal(attempt.error?.code, 'IBGW_LOGIN_CODE_REJECTED');
  t.same((await sim.control('/state')).failedLogins, { totp: 1 }, 'exactly one code was tried');
  await checkAfter(t, run, attempt);
});

t.test('a wrong password: rejected after exactly one try, screenshot without the password', async (t) => {
  await resetSim(sim);
  const run = makeDriver(t, sim, creds('demo', { password: 'not-the-password' }));
  const attempt = await run.driver.attempt(loginContext(sim));
  t.match(attempt, { result: 'rejected', passwordCleared: true, screenshot: /\.png$/ });
  t.equal(attempt.error?.code, 'IBGW_LOGIN_REJECTED');
  t.equal(attempt.pageText, 'Invalid username password combination', 'IBKR\'s words, as the page showed them');
  t.same((await sim.control('/state')).failedLogins, { demo: 1 }, 'the simulator counted one failed login');
  t.notOk(readFileSync(join(run.dataDir, 'login', attempt.screenshot!)).includes('not-the-password'));
  t.notOk(attempt.detail.includes('not-the-password'));
  t.match(run.events, [{ type: 'login.failed', level: 'error', data: { code: 'IBGW_LOGIN_REJECTED', result: 'rejected' } }]);
  await checkAfter(t, run, attempt);
});
