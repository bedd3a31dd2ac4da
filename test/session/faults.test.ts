/**
 * Failures of the gateway or of IBKR behind it, each answered by its own rung: a hang gets a
 * restart; IBKR unreachable or in maintenance gets patience (a restart would only lose the
 * session); a brokerage session that never comes back gets logout + restart, once bounded.
 */
import t from 'tap';
import { startKeeper, startTestSim, waitState } from '../helpers/session-harness.js';
import { waitFor } from '../../testkit/wait-for.js';

// authDelay far beyond any reauthTimeoutMs here: a reauthenticate "triggers" and never completes.
// Control logins are immediate, so the session itself comes up at once.
const sim = await startTestSim(t, { conf: { authDelay: 60_000 } });
t.beforeEach(async () => {
  await sim.control('/reset', {});
  await sim.control('/session/login', { username: 'demo' });
});

/** Samples the keeper's in-flight calls every few ms; returns the maximum seen. */
function watchInflight(t: { teardown(fn: () => void): void }, read: () => number): { max: () => number; stop: () => void } {
  let max = 0;
  const timer = setInterval(() => { max = Math.max(max, read()); }, 3);
  t.teardown(() => clearInterval(timer)); // also when the test fails half-way
  return { max: () => max, stop: () => clearInterval(timer) };
}

t.test('hang → restart decision with the reason, then authenticated again', async (t) => {
  const h = startKeeper(t, sim);
  await waitState(h, 'authenticated');
  const inflight = watchInflight(t, () => h.keeper.metrics().inflight);
  const hungAt = Date.now();
  await sim.control('/fault/hang', { on: true });
  await waitFor(() => h.gateway.restarts.length === 1, 8000, 'a restart decision');
  const decidedMs = Date.now() - hungAt;
  t.comment(`hang → restart decision in ${decidedMs} ms (timeouts 300 ms, threshold 2)`);
  t.match(h.gateway.restarts[0], /^hang: 2 probes unanswered since /);
  t.ok(decidedMs >= 600, 'two timeouts had to pass');
  t.ok(h.events.some((e) => e.type === 'session.restart'), 'the decision is an event');
  // The fake restart cleared the fault; the keeper waits for it, then checks promptly.
  await waitState(h, 'authenticated');
  inflight.stop();
  t.ok(inflight.max() <= 1, `never more than one call out (max ${inflight.max()})`);
  t.equal(h.gateway.restarts.length, 1, 'one restart only');
  t.ok(h.keeper.metrics().counters.restartsRequested === 1);
});

t.test('IBKR unreachable: timeouts, no pile-up, no restart, back when it returns', async (t) => {
  const h = startKeeper(t, sim, { recoveryBackoff: { initialMs: 100, maxMs: 200, factor: 2, jitter: 0 } });
  await waitState(h, 'authenticated');
  const inflight = watchInflight(t, () => h.keeper.metrics().inflight);
  const before = (await sim.control('/state')).counters['/v1/api/tickle'] ?? 0;
  const keeperBefore = h.keeper.metrics().endpoints.tickle.calls;
  await sim.control('/fault/unreachable', { on: true });
  await waitState(h, 'ibkr-unreachable', 8000);
  t.match(h.keeper.status().reason, /gateway answers/);
  await waitFor(() => (h.keeper.metrics().endpoints.tickle.byOutcome.timeout ?? 0) >= 3, 10_000, 'several timed-out tickles ' + JSON.stringify(h.keeper.metrics().endpoints.tickle) + JSON.stringify(h.keeper.status()));
  t.equal(h.gateway.restarts.length, 0, 'a restart would lose the session and not bring IBKR back');
  const counters = (await sim.control('/state')).counters;
  t.equal((counters['/v1/api/tickle'] ?? 0) - before, h.keeper.metrics().endpoints.tickle.calls - keeperBefore, 'every tickle the gateway saw was one the keeper sent and abandoned');
  await sim.control('/fault/unreachable', { on: false });
  await waitState(h, 'authenticated', 8000);
  inflight.stop();
  t.ok(inflight.max() <= 1, `never more than one call out (max ${inflight.max()})`);
});

t.test('IBKR maintenance answering 5xx: no login, no reauth, no restart; back afterwards', async (t) => {
  let logins = 0;
  const h = startKeeper(t, sim, {}, { login: async () => { logins++; return 'failed'; } });
  await waitState(h, 'authenticated');
  await sim.control('/fault/maintenance', { on: true, status: 503 });
  await waitState(h, 'gateway-error');
  const tickles = h.keeper.metrics().endpoints.tickle.calls;
  await waitFor(() => h.keeper.metrics().endpoints.tickle.calls >= tickles + 4, 8000, 'more looks');
  t.equal(logins, 0);
  t.equal(h.keeper.metrics().endpoints.reauth.calls, 0);
  t.equal(h.gateway.restarts.length, 0);
  t.ok((h.keeper.metrics().endpoints.tickle.byOutcome['server-error'] ?? 0) >= 4);
  await sim.control('/fault/maintenance', { on: false });
  await waitState(h, 'authenticated', 8000);
});

t.test('reauthentication that never succeeds: bounded attempts, then logout and restart', async (t) => {
  const h = startKeeper(t, sim, { reauthTimeoutMs: 200, maxRecoveryAttempts: 2 });
  await waitState(h, 'authenticated');
  await sim.control('/session/drop-brokerage', {});
  await waitFor(() => h.gateway.restarts.length === 1, 8000, 'a restart decision');
  t.match(h.gateway.restarts[0], /^recovery failed: 2 recoveries failed/);
  t.ok(((await sim.control('/state')).counters['/v1/api/logout'] ?? 0) >= 1, 'logged out before the restart');
  t.equal(h.keeper.metrics().endpoints.reauth.calls, 2, 'exactly maxRecoveryAttempts reauthentications');
  t.equal(h.keeper.status().ladder.recoveryAttempts, 0, 'the count starts over after the restart');
});

t.test('an Access Denied answer is reported as the allow-list, never as a session problem', async (t) => {
  // The allow-list is conf (read at start): a second simulator that refuses 127.0.0.1.
  const denied = await startTestSim(t, { conf: { ips: { allow: ['10.*'], deny: [] } } });
  const h = startKeeper(t, denied);
  await waitState(h, 'access-denied');
  t.equal(h.gateway.restarts.length, 0);
  t.equal(h.keeper.metrics().endpoints.tickle.byOutcome['access-denied'], h.keeper.metrics().endpoints.tickle.calls);
});
