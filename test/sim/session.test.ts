/**
 * Session states over the wire: none (401) → browser login (the page's JSON steps; second
 * factors in login-flow.test.ts) → SSO → brokerage session after authDelay; reauthentication, competing sessions, expiry,
 * logout and account locking. Time-based expiry uses short limits and polls the control
 * channel's /state, which (unlike an API call) does not count as activity.
 */
import t from 'tap';
import { startSim, type Sim } from '../helpers/sim.js';
import { waitFor } from '../../testkit/wait-for.js';
import { dispatch, sso } from '../helpers/sso.js';

// Second factors have their own file (login-flow.test.ts); the page itself is tested in Chromium.
const users = [{ username: 'demo', password: 'demo1234', accounts: ['DU1234567'], paper: true, twoFactor: 'none' }];
// Pacing off: these tests poll faster than IBKR would allow.
const simConfig = { users, lockAfterFailures: 3, rateLimits: { globalPerSec: 0, perEndpoint: { '/tickle': null, '/sso/validate': null } } };

async function authStatus(sim: Sim): Promise<any> {
  const res = await sim.request('POST', '/v1/api/iserver/auth/status');
  return res.status === 200 ? res.json() : res.status;
}

const waitAuthenticated = (sim: Sim) => waitFor(async () => (await authStatus(sim)).authenticated === true, 5000, 'authenticated');

t.test('no session: 401s, and reauthenticate answers 200 {"error":"not logged in"}', async (t) => {
  const sim = await startSim(t, { simConfig });
  for (const [method, path] of [['POST', '/tickle'], ['GET', '/tickle'], ['POST', '/iserver/auth/status'], ['GET', '/sso/validate'], ['POST', '/logout'], ['GET', '/iserver/accounts']]) {
    t.equal((await sim.request(method!, `/v1/api${path}`)).status, 401, `${method} ${path}`);
  }
  for (const path of ['/iserver/reauthenticate', '/iserver/auth/ssodh/init?publish=true&compete=true']) {
    const res = await sim.request('POST', `/v1/api${path}`);
    t.equal(res.status, 200);
    t.same(res.json(), { error: 'not logged in' }, path);
  }
  const live = await sso(sim, 'login', { username: 'demo', password: 'demo1234', mode: 'live' });
  t.equal(live.status, 401, 'a paper user choosing live fails like a wrong password');
  t.equal(live.body.error, 'bad-credentials');
});

t.test('browser login without a second factor; brokerage session after authDelay', async (t) => {
  const sim = await startSim(t, { simConfig, conf: { authDelay: 400 } });
  const root = await sim.request('GET', '/');
  t.equal(root.status, 302);
  const page = await sim.request('GET', root.headers.location!);
  t.equal(page.status, 200);
  t.match(page.headers['content-type'], /text\/html/);
  t.notMatch(page.body, /<form|<input/, 'no form in the HTML: the page script renders it');
  t.match(page.body, /<script src="\/sso\/static\/login\.js"/);
  const wrong = await sso(sim, 'login', { username: 'demo', password: 'nope', mode: 'paper' });
  t.equal(wrong.status, 401);
  t.same(wrong.body, { status: 'error', error: 'bad-credentials', message: 'Invalid username password combination' });
  t.same((await sim.control('/state')).failedLogins, { demo: 1 });

  const ok = await sso(sim, 'login', { username: 'demo', password: 'demo1234', mode: 'paper' });
  t.equal(ok.status, 200);
  t.match(ok.body, { status: 'authenticated', next: /^\/sso\/Dispatcher\?forwardTo=22&ticket=[0-9a-f]+$/ });
  t.same((await sim.control('/state')).failedLogins, {}, 'a success clears the count');
  t.equal((await sim.request('POST', '/v1/api/tickle')).status, 401, 'the session begins at the Dispatcher');
  const landed = await dispatch(sim, ok);
  t.equal(landed.status, 200);
  t.equal(landed.body, 'Client login succeeds');
  t.match(landed.type, /text\/plain/);
  t.equal((await dispatch(sim, ok)).status, 401, 'a ticket is used once');

  const early = await authStatus(sim);
  t.match(early, { authenticated: false, competing: false, connected: true, fail: '' }, 'SSO first, brokerage pending');
  const earlyData = await sim.request('GET', '/v1/api/portfolio/accounts');
  t.equal(earlyData.status, 401, 'data needs the brokerage session');
  await waitAuthenticated(sim);

  const tickle = (await sim.request('POST', '/v1/api/tickle')).json();
  t.same(Object.keys(tickle), ['session', 'ssoExpires', 'collission', 'userId', 'hmds', 'iserver']);
  t.match(tickle, {
    session: /^[0-9a-f]{32}$/,
    ssoExpires: Number,
    collission: false,
    userId: Number,
    hmds: { error: 'no bridge' },
    iserver: { authStatus: { authenticated: true, competing: false, connected: true, message: '', MAC: String, serverInfo: { serverName: String, serverVersion: String } } },
  });
  t.ok(tickle.ssoExpires > 0 && tickle.ssoExpires <= 360_000);
  const status = await authStatus(sim);
  t.same(Object.keys(status).sort(), ['MAC', 'authenticated', 'competing', 'connected', 'fail', 'message', 'serverInfo']);

  const validate = (await sim.request('GET', '/v1/api/sso/validate')).json();
  t.match(validate, { USER_ID: tickle.userId, USER_NAME: 'demo', RESULT: true, AUTH_TIME: Number, EXPIRES: Number });

  const logout = await sim.request('POST', '/v1/api/logout');
  t.same(logout.json(), { status: true });
  t.equal((await sim.request('POST', '/v1/api/tickle')).status, 401, 'logout drops the session');
});

t.test('the account locks after lockAfterFailures; then even the right password is refused', async (t) => {
  const sim = await startSim(t, { simConfig });
  const attempt = (password: string) => sso(sim, 'login', { username: 'demo', password });
  t.equal((await attempt('x1')).status, 401);
  t.equal((await attempt('x2')).status, 401);
  const third = await attempt('x3');
  t.equal(third.status, 403);
  t.equal(third.body.error, 'locked');
  const right = await attempt('demo1234');
  t.equal(right.status, 403, 'locked: the right password is refused');
  t.match(right.body.message, /account is locked/);
  const state = await sim.control('/state');
  t.same(state.lockedUsers, ['demo']);
  t.equal(state.session.state, 'none');
  await sim.control('/users/unlock', { username: 'demo' });
  t.equal((await attempt('demo1234')).status, 200, 'unlocked through the control channel');
});

t.test('reauthenticate after the brokerage session drops; competing sessions need compete=true', async (t) => {
  const sim = await startSim(t, { simConfig, conf: { authDelay: 150 } });
  await sim.control('/session/login', { username: 'demo' });
  t.match(await authStatus(sim), { authenticated: true });

  await sim.control('/session/drop-brokerage', {});
  const tickle = (await sim.request('POST', '/v1/api/tickle')).json();
  t.same(tickle.iserver.authStatus, { authenticated: false, competing: false, connected: false, message: '' });
  t.equal((await sim.request('GET', '/v1/api/iserver/accounts')).status, 401);
  t.same((await sim.request('POST', '/v1/api/iserver/reauthenticate')).json(), { message: 'triggered' });
  await waitAuthenticated(sim);

  await sim.control('/session/compete', {});
  t.match(await authStatus(sim), { authenticated: false, competing: true, connected: true });
  await sim.request('POST', '/v1/api/iserver/reauthenticate');
  await sim.request('POST', '/v1/api/iserver/auth/ssodh/init?publish=true&compete=false');
  t.match(await authStatus(sim), { authenticated: false, competing: true }, 'without compete the other platform keeps it');
  const init = await sim.request('POST', '/v1/api/iserver/auth/ssodh/init?publish=true&compete=true');
  t.equal(init.status, 200);
  t.match(init.json(), { competing: false, connected: true });
  await waitAuthenticated(sim);
});

t.test('idle expiry: no API call for sessionIdleMs drops the SSO session', async (t) => {
  const sim = await startSim(t, { simConfig: { ...simConfig, sessionIdleMs: 1500 } });
  await sim.control('/session/login', { username: 'demo' });
  // Activity keeps it: three tickles spread over more than the idle time.
  for (let i = 0; i < 4; i++) {
    t.equal((await sim.request('POST', '/v1/api/tickle')).status, 200);
    await waitFor(async () => (await sim.control('/state')).session.msLeft < 900, 3000, 'time to pass');
  }
  const state = await waitFor(async () => {
    const s = await sim.control('/state');
    return s.session.state === 'none' && s;
  }, 5000, 'idle expiry');
  t.match(state.session.lastDrop, { reason: 'idle' });
  t.equal((await sim.request('POST', '/v1/api/tickle')).status, 401);
});

t.test('sessionMaxMs ends even a busy session; control expire drops it at once', async (t) => {
  const sim = await startSim(t, { simConfig: { ...simConfig, sessionMaxMs: 700 } });
  await sim.control('/session/login', {});
  const dropped = await waitFor(async () => {
    const res = await sim.request('POST', '/v1/api/tickle');
    return res.status === 401;
  }, 3000, 'max age');
  t.ok(dropped);
  t.match((await sim.control('/state')).session.lastDrop, { reason: 'max-age' });

  await sim.control('/session/login', {});
  t.equal((await sim.request('POST', '/v1/api/tickle')).status, 200);
  await sim.control('/session/expire', {});
  t.equal((await sim.request('POST', '/v1/api/tickle')).status, 401);
});

t.test('one cookie jar: a login by one client serves every client', async (t) => {
  const sim = await startSim(t, { simConfig, conf: { authDelay: 0 } });
  const answer = await sso(sim, 'login', { username: 'demo', password: 'demo1234' });
  const res = await sim.request('GET', answer.body.next);
  t.equal(res.status, 200);
  t.notOk(res.headers['set-cookie'], 'no cookie is needed');
  const other = await sim.request('GET', '/v1/api/iserver/accounts', { headers: { cookie: 'unrelated=1' } });
  t.equal(other.status, 200);
  t.match(other.json(), { accounts: ['DU1234567'], selectedAccount: 'DU1234567', isPaper: true });
});
