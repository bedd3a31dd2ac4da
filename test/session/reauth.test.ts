/**
 * SSO alive, brokerage session lost: reauthenticate brings it back in seconds, without a
 * restart or a login. And the three competing-session policies.
 */
import t from 'tap';
import { startKeeper, startTestSim, waitState } from '../helpers/session-harness.js';
import { waitFor } from '../../testkit/wait-for.js';

// One simulator for the file (starting one costs ~1.5 s); each test starts from a fresh login.
const sim = await startTestSim(t, { conf: { authDelay: 200 } });
t.beforeEach(async () => {
  await sim.control('/reset', {});
  await sim.control('/session/login', { username: 'demo' });
});

t.test('brokerage session lost → reauthenticate → authenticated again', async (t) => {
  let logins = 0;
  const h = startKeeper(t, sim, {}, { login: async () => { logins++; return 'failed'; } });
  await waitState(h, 'authenticated');
  const lost = Date.now();
  await sim.control('/session/drop-brokerage', {});
  await waitState(h, 'reauthenticating', 8000);
  const detected = Date.now();
  const back = await waitState(h, 'authenticated', 8000);
  t.comment(`loss → detected ${detected - lost} ms, detected → authenticated ${back - detected} ms (authDelay 200 ms)`);
  t.ok(back - detected >= 150, 'waited for the brokerage session to come up');
  t.ok(back - detected < 2500, 'and not much longer');
  const rec = h.keeper.status().ladder.lastRecovery!;
  t.match(rec, { kind: 'reauth', result: 'ok' });
  t.equal(logins, 0, 'no login: the SSO session was alive');
  t.equal(h.gateway.restarts.length, 0);
  t.ok(h.keeper.metrics().endpoints.reauth.calls >= 1);
  t.ok(h.keeper.metrics().endpoints.auth.calls >= 1, 'polled /iserver/auth/status');
  t.ok(h.events.some((e) => e.type === 'session.recovered'));
});

t.test('reauthenticate without SSO ("not logged in" in a 200) goes to the login rung', async (t) => {
  const h = startKeeper(t, sim);
  await waitState(h, 'authenticated');
  await sim.control('/session/drop-brokerage', {});
  await sim.control('/session/expire', {});
  await waitState(h, 'needs-login');
  t.equal(h.gateway.restarts.length, 0);
});

t.test('competing session, policy report: state competing, no action', async (t) => {
  const h = startKeeper(t, sim, { competing: 'report' });
  await waitState(h, 'authenticated');
  await sim.control('/session/compete', {});
  await waitState(h, 'competing');
  const tickles = h.keeper.metrics().endpoints.tickle.calls;
  await waitFor(() => h.keeper.metrics().endpoints.tickle.calls >= tickles + 4, 8000, 'more tickles');
  t.equal(h.keeper.metrics().endpoints.reauth.calls, 0, 'never takes the session over');
  t.equal(h.keeper.status().state, 'competing');
  t.equal(h.keeper.status().competing, true);
  t.equal(h.gateway.restarts.length, 0, 'and never escalates');
  t.equal((await sim.control('/state')).session.brokerage, 'competing');
});

t.test('competing session, policy wait: backs off and re-checks, takes nothing over', async (t) => {
  const h = startKeeper(t, sim, { competing: 'wait', recoveryBackoff: { initialMs: 100, maxMs: 200, factor: 2, jitter: 0 } });
  await waitState(h, 'authenticated');
  await sim.control('/session/compete', {});
  await waitState(h, 'competing');
  const tickles = h.keeper.metrics().endpoints.tickle.calls;
  await waitFor(() => h.keeper.metrics().endpoints.tickle.calls >= tickles + 3, 8000, 're-checks');
  t.equal(h.keeper.metrics().endpoints.reauth.calls, 0);
  t.equal(h.gateway.restarts.length, 0);
  // The other platform lets go (here: a fresh login takes it back): the keeper sees it.
  await sim.control('/session/login', { username: 'demo' });
  await waitState(h, 'authenticated');
});

t.test('competing session, policy takeover: ssodh/init with compete=true', async (t) => {
  const h = startKeeper(t, sim, { competing: 'takeover' });
  await waitState(h, 'authenticated');
  await sim.control('/session/compete', {});
  await waitFor(() => h.keeper.status().ladder.lastRecovery?.kind === 'takeover', 8000, 'a takeover');
  await waitState(h, 'authenticated');
  t.match(h.keeper.status().ladder.lastRecovery, { kind: 'takeover', result: 'ok' });
  t.equal((await sim.control('/state')).session.brokerage, 'authenticated');
  t.ok((await sim.control('/state')).counters['/v1/api/iserver/auth/ssodh/init'] >= 1, 'used ssodh/init');
});
