/**
 * Logins are budgeted, survive daemon restarts, and a rejected password is never retried.
 */
import { join } from 'node:path';
import t from 'tap';
import { startKeeper, startTestSim, waitState } from '../helpers/session-harness.js';
import { waitFor } from '../../testkit/wait-for.js';
import { tempDir } from '../helpers/temp-dir.js';

const sim = await startTestSim(t);
const dir = tempDir(t, 'ibgw-budget-');
t.beforeEach(async () => {
  await sim.control('/reset', {});
  await sim.control('/session/expire', {});
});

t.test('failing logins stop when the hourly budget is spent, and stay stopped across a restart', async (t) => {
  const budgetPath = join(dir, 'budget-1.json');
  let logins = 0;
  const failing = async () => { logins++; return 'failed' as const; };
  const h = startKeeper(t, sim, { loginBudget: { perDay: 5, perHour: 2 } }, { login: failing, budgetPath });
  await waitState(h, 'login-budget-spent', 8000);
  t.equal(logins, 2);
  t.match(h.keeper.status().reason, /hourly login budget spent/);
  t.equal(h.keeper.status().loginsToday, 2);
  t.ok(h.events.some((e) => e.type === 'session.login-budget'), 'the stop is an event');
  const tickles = h.keeper.metrics().endpoints.tickle.calls;
  await waitFor(() => h.keeper.metrics().endpoints.tickle.calls >= tickles + 4, 8000, 'more looks');
  t.equal(logins, 2, 'no further login');
  t.equal(h.gateway.restarts.length, 0, 'no restart either: it would need a login');
  await h.keeper.stop();

  // The daemon restarts: the record is on disk.
  const again = startKeeper(t, sim, { loginBudget: { perDay: 5, perHour: 2 } }, { login: failing, budgetPath });
  await waitState(again, 'login-budget-spent', 8000);
  t.equal(logins, 2, 'the restarted keeper does not log in');
});

t.test('a rejected password is never retried, until an operator clears the block', async (t) => {
  const budgetPath = join(dir, 'budget-2.json');
  let logins = 0;
  let answer: 'rejected' | 'ok' = 'rejected';
  const h = startKeeper(t, sim, {}, {
    budgetPath,
    login: async () => {
      logins++;
      if (answer === 'ok') await sim.control('/session/login', { username: 'demo' });
      return answer;
    },
  });
  await waitState(h, 'login-blocked', 8000);
  t.equal(logins, 1);
  t.match(h.keeper.status().loginBlocked, { reason: /rejected/ });
  t.ok(h.events.some((e) => e.type === 'session.login-blocked' && e.level === 'error'));
  const tickles = h.keeper.metrics().endpoints.tickle.calls;
  await waitFor(() => h.keeper.metrics().endpoints.tickle.calls >= tickles + 4, 8000, 'more looks');
  t.equal(logins, 1, 'not retried');
  answer = 'ok';
  await h.keeper.clearLoginBlock();
  await waitState(h, 'authenticated', 8000);
  t.equal(logins, 2);
  t.equal(h.keeper.status().loginBlocked, null);
});
