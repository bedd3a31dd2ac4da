/**
 * A 429 puts the address in IBKR's penalty box; every extra call there prolongs the trouble.
 * The keeper then makes only tickles until penaltyBoxMs has passed, and says so.
 */
import t from 'tap';
import { startKeeper, startTestSim, waitState } from '../helpers/session-harness.js';
import { waitFor } from '../../testkit/wait-for.js';

t.test('429 → penalty box: only tickles, recovery resumes afterwards', async (t) => {
  // Pacing on, except the per-tickle limit (fast test timers); /sso/validate keeps its 1/min.
  const sim = await startTestSim(t, { simConfig: { penaltyMs: 800, rateLimits: { globalPerSec: 0, perEndpoint: { '/tickle': null } } } });
  await sim.control('/session/login', { username: 'demo' });
  const h = startKeeper(t, sim, { penaltyBoxMs: 4000 });
  await waitState(h, 'authenticated');
  t.equal(h.keeper.allowNonEssential(), true);
  // Someone else on this address trips the limit: the whole address is boxed.
  await sim.request('GET', '/v1/api/sso/validate');
  t.equal((await sim.request('GET', '/v1/api/sso/validate')).status, 429);
  await waitFor(() => h.keeper.status().penaltyUntil !== null, 8000, 'the keeper to see the 429');
  const until = h.keeper.status().penaltyUntil!;
  t.equal(h.keeper.allowNonEssential(), false);
  const before = h.keeper.metrics().endpoints;
  // The brokerage session drops meanwhile: normally an immediate reauthenticate.
  await sim.control('/session/drop-brokerage', {});
  await waitFor(() => h.keeper.status().state === 'sso-only', 8000, 'sso-only seen by a tickle');
  t.match(h.keeper.status().reason, /penalty box/);
  const tickles = h.keeper.metrics().endpoints.tickle.calls;
  await waitFor(() => h.keeper.metrics().endpoints.tickle.calls >= tickles + 2, 8000, 'more tickles in the box');
  t.ok(Date.now() < until, 'still inside the penalty box');
  const during = h.keeper.metrics().endpoints;
  t.equal(during.reauth.calls, before.reauth.calls, 'no reauthenticate');
  t.equal(during.auth.calls, before.auth.calls, 'no auth status polls');
  t.equal(during.liveness.calls, before.liveness.calls, 'no liveness probes');
  t.ok(during.tickle.calls > before.tickle.calls, 'tickles go on');
  await waitState(h, 'authenticated', 10_000);
  const rec = h.keeper.status().ladder.lastRecovery!;
  t.match(rec, { kind: 'reauth', result: 'ok' });
  t.ok(rec.at >= until, 'reauthenticated only once the box was over');
  t.equal(h.keeper.status().penaltyUntil, null);
  t.equal(h.keeper.allowNonEssential(), true);
  t.equal(h.events.filter((e) => e.type === 'session.penalty').length, 1, '429s inside the box do not extend it');
});
