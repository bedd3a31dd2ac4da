/**
 * Supervisor.fail(reason): for a caller that knows no restart can help (a maintenance change
 * and its rollback both failed). From running, backoff or stopped it ends in fatal with the
 * reason, the group emptied, and only an operator start leaves it.
 */
import t from 'tap';
import { fixture, harness } from '../helpers/supervisor-harness.js';
import { groupPids } from '../helpers/process-table.js';
import { waitFor } from '../../testkit/wait-for.js';

t.test('fail() from running: the group is emptied, fatal with the reason; a start clears it', async (t) => {
  const h = await harness(t, (port) => [fixture('run-like.sh'), String(port)]);
  const pid = (await h.sup.start()).pid!;
  const status = await h.sup.fail('update failed: x; the rollback failed too: y');
  t.match(status, { state: 'fatal', reason: 'update failed: x; the rollback failed too: y', pid: null });
  await waitFor(() => groupPids(pid).length === 0, 5000, 'the group gone');
  t.match(h.transitions.at(-1), { to: 'fatal', code: 'IBGW_GATEWAY_FATAL' });
  t.equal((await h.sup.fail('again')).reason, 'update failed: x; the rollback failed too: y', 'a second fail keeps the first reason');
  t.equal((await h.sup.start()).state, 'running', 'an operator start clears it');
});

t.test('fail() from backoff and from stopped', async (t) => {
  const h = await harness(t, () => [fixture('crash.sh')], { restart: { backoff: { initialMs: 5000, maxMs: 5000, factor: 1, jitter: 0 }, stableAfterMs: 60000, maxRestarts: 5, windowMs: 60000 } });
  void h.sup.start();
  await h.waitState('backoff');
  t.equal((await h.sup.fail('given up')).state, 'fatal', 'from backoff: the pending restart is cancelled');
  const h2 = await harness(t, (port) => [fixture('run-like.sh'), String(port)]);
  t.match(await h2.sup.fail('never started'), { state: 'fatal', reason: 'never started' });
});
