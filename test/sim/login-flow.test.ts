/**
 * The login page's JSON endpoints over TLS: the shell and its assets, both second factors, the
 * device's answers through the control channel (approve, deny, none — the page's window closes),
 * RFC 6238 codes and the lock they count towards. The page itself is driven in Chromium in
 * login-browser.test.ts.
 */
import t from 'tap';
import { startSim, type Sim } from '../helpers/sim.js';
import { waitFor } from '../../testkit/wait-for.js';
import { dispatch, sso } from '../helpers/sso.js';

const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const users = [
  { username: 'push', password: 'pw-push', accounts: ['U7654321'], paper: false, twoFactor: 'push' },
  { username: 'totp', password: 'pw-totp', accounts: ['U1111111'], paper: false, twoFactor: 'totp', totpSecret: TOTP_SECRET },
  { username: 'push2', password: 'pw-push2', accounts: ['U2222222'], paper: true, twoFactor: 'push' },
];
const simConfig = { users, lockAfterFailures: 3, secondFactorTimeoutMs: 1500, rateLimits: { globalPerSec: 0, perEndpoint: { '/tickle': null } } };

// One simulator for the file; each login replaces the previous session.
let shared: Promise<Sim> | null = null;
const sim = (): Promise<Sim> => (shared ??= startSim(null, { simConfig, conf: { authDelay: 50 } }));
t.teardown(async () => (await shared)?.stop());

async function code(offsetMs = 0): Promise<string> {
  const { TOTP, Secret } = await import('otpauth');
  return new TOTP({ secret: Secret.fromBase32(TOTP_SECRET), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: Date.now() + offsetMs });
}

t.test('the shell, its assets and settings', async (t) => {
  const s = await sim();
  const shell = await s.request('GET', '/sso/Login?forwardTo=22&RL=1&ip2loc=US');
  t.equal(shell.status, 200);
  t.notMatch(shell.body, /<form|<input|<select|<button/i, 'nothing to fill in before the script runs');
  t.equal(shell.headers['cache-control'], 'no-store');
  const js = await s.request('GET', '/sso/static/login.js');
  t.equal(js.status, 200);
  t.match(js.headers['content-type'], /text\/javascript/);
  t.match(js.body, /xyz-field-username/);
  const css = await s.request('GET', '/sso/static/login.css');
  t.match(css.headers['content-type'], /text\/css/);
  t.equal((await s.request('GET', '/sso/static/nope.js')).status, 404);
  t.match((await s.request('GET', '/sso/api/settings')).json(), { pollMs: Number, codePrompt: String });
});

t.test('push: the page waits; only the device (control channel) approves', async (t) => {
  const s = await sim();
  const step = await sso(s, 'login', { username: 'push', password: 'pw-push', mode: 'live' });
  t.equal(step.status, 200);
  t.match(step.body, { status: 'second-factor', method: 'push', methods: [{ id: 'push', label: 'IB Key' }], message: /notification/ });
  const { challenge } = step.body;
  t.match((await s.control('/state')).pendingPushes, [{ username: 'push', since: Number, expiresAt: Number }]);
  t.same((await sso(s, 'poll', { challenge })).body, { status: 'pending' });
  t.equal((await s.request('POST', '/v1/api/tickle')).status, 401, 'no session before the approval');
  t.same(await s.control('/session/approve', { username: 'push' }), { approved: 'push' });
  const done = await sso(s, 'poll', { challenge });
  t.match(done.body, { status: 'authenticated', next: /ticket=/ });
  t.equal((await dispatch(s, done)).body, 'Client login succeeds');
  t.equal((await s.request('POST', '/v1/api/tickle')).status, 200);
  t.same((await s.control('/state')).pendingPushes, []);
  const none = await s.controlRaw('POST', '/session/approve', {});
  t.equal(none.status, 409, 'nothing waiting: nothing to approve');
});

t.test('push: a denial on the device ends the attempt without counting as a failure', async (t) => {
  const s = await sim();
  const step = await sso(s, 'login', { username: 'push', password: 'pw-push', mode: 'live' });
  t.same(await s.control('/session/deny', {}), { denied: 'push' });
  const denied = await sso(s, 'poll', { challenge: step.body.challenge });
  t.equal(denied.status, 401);
  t.match(denied.body, { status: 'error', error: 'denied', message: /denied/ });
  t.same((await s.control('/state')).failedLogins, {});
  t.match((await sso(s, 'poll', { challenge: step.body.challenge })).body, { error: 'expired' }, 'the challenge is gone');
});

t.test('push: unanswered, the window closes like IBKR\'s', async (t) => {
  const s = await sim();
  const step = await sso(s, 'login', { username: 'push2', password: 'pw-push2', mode: 'paper' });
  t.equal(step.body.method, 'push');
  await waitFor(async () => (await s.control('/state')).pendingPushes.length === 0, 5000, 'the push to expire');
  const late = await sso(s, 'poll', { challenge: step.body.challenge });
  t.equal(late.status, 401);
  t.match(late.body, { status: 'error', error: 'expired', message: 'Your login request expired. Please log in again.' });
  t.equal((await s.controlRaw('POST', '/session/approve', { username: 'push2' })).status, 409, 'too late to approve');
});

t.test('totp: a wrong code counts and may be retried; the right one logs in', async (t) => {
  const s = await sim();
  await s.control('/users/unlock', {});
  const step = await sso(s, 'login', { username: 'totp', password: 'pw-totp', mode: 'live' });
  t.match(step.body, { status: 'second-factor', method: 'totp', methods: [{ id: 'totp', label: 'Mobile Authenticator App' }] });
  const { challenge } = step.body;
  const right = await code();
  const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
  const bad = await sso(s, 'code', { challenge, code: wrong });
  t.equal(bad.status, 401);
  t.match(bad.body, { status: 'error', error: 'bad-code' });
  t.same((await s.control('/state')).failedLogins, { totp: 1 });
  t.same((await s.control('/state')).pendingPushes, [], 'a code prompt is no push');
  const good = await sso(s, 'code', { challenge, code: await code() });
  t.match(good.body, { status: 'authenticated' });
  t.equal((await dispatch(s, good)).status, 200);
  t.same((await s.control('/state')).failedLogins, {}, 'a success clears the count');
  t.match((await sso(s, 'code', { challenge, code: await code() })).body, { error: 'expired' }, 'a challenge is used once');
});

t.test('totp: wrong codes lock the account like wrong passwords', async (t) => {
  const s = await sim();
  const step = await sso(s, 'login', { username: 'totp', password: 'pw-totp', mode: 'live' });
  t.equal((await sso(s, 'code', { challenge: step.body.challenge, code: '000000' })).status, 401);
  t.equal((await sso(s, 'code', { challenge: step.body.challenge, code: '000001' })).status, 401);
  const third = await sso(s, 'code', { challenge: step.body.challenge, code: '000002' });
  t.equal(third.status, 403);
  t.equal(third.body.error, 'locked');
  t.same((await s.control('/state')).lockedUsers, ['totp']);
  await s.control('/users/unlock', { username: 'totp' });
});
