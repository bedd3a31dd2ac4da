/**
 * Between tickles, /iserver/auth/status: a lost brokerage session is seen within seconds instead
 * of at the next tickle. It reaches IBKR, so it keeps to its own rate whatever else goes on,
 * and takes its slot where the keeper is told to (the shared pacer, once wired).
 */
import t from 'tap';
import type { CallPacer } from '../../daemon/ibkr/pacer.js';
import { MinGapPacer } from '../../daemon/session/min-gap-pacer.js';
import { startKeeper, startTestSim, waitState, type Harness } from '../helpers/session-harness.js';
import { waitFor } from '../../testkit/wait-for.js';

const AUTH_STATUS = '/v1/api/iserver/auth/status';
const INTERVAL = 400;

// IBKR's pacing off except a limit on auth status a little looser than the check's own rate
// (requests sent INTERVAL apart may arrive a few ms closer): any excess is a 429 and a penalty.
const sim = await startTestSim(t, {
  conf: { authDelay: 200 },
  simConfig: { rateLimits: { globalPerSec: 0, perEndpoint: { '/tickle': null, '/iserver/auth/status': { count: 1, perMs: INTERVAL - 50 } } } },
});
t.beforeEach(async () => {
  await sim.control('/reset', {});
  await sim.control('/session/login', { username: 'demo' });
});
const authStatusCalls = async (): Promise<number> => (await sim.control('/state')).counters[AUTH_STATUS] ?? 0;

t.test('a lost brokerage session is noticed by the check, not by the next tickle', async (t) => {
  let ticklesAtDetection: number | null = null;
  const late: { h?: Harness } = {};
  // Reauthentication polls auth status too: at the pace the simulator's limit allows.
  const h = startKeeper(t, sim, { tickleIntervalMs: 60_000, authCheckIntervalMs: INTERVAL, livenessIntervalMs: 1000, reauthPollMs: INTERVAL }, {
    onEvent: (e) => {
      if (e.type === 'session.state' && e.data?.to === 'reauthenticating') ticklesAtDetection ??= late.h!.keeper.metrics().endpoints.tickle.calls;
    },
  });
  late.h = h;
  await waitState(h, 'authenticated');
  await waitFor(async () => (await authStatusCalls()) >= 2, 8000, 'checks while authenticated');
  const tickles = h.keeper.metrics().endpoints.tickle.calls;
  await sim.control('/session/drop-brokerage', {});
  await waitFor(() => ticklesAtDetection !== null, 8000, 'the loss seen');
  t.equal(ticklesAtDetection, tickles, 'no tickle in between: the check saw it');
  await waitState(h, 'authenticated', 8000);
  t.match(h.keeper.status().ladder.lastRecovery, { kind: 'reauth', result: 'ok' });
  t.equal(h.gateway.restarts.length, 0);
  t.equal(h.keeper.metrics().counters.penalties, 0, 'never over the limit');
});

t.test('the check never exceeds its rate, however often the keeper wakes', async (t) => {
  // A liveness probe every 30 ms: the keeper's loop runs ~30 times a second, each time asking
  // whether the check is due; none of it may bring the checks closer together.
  const h = startKeeper(t, sim, { tickleIntervalMs: 60_000, authCheckIntervalMs: INTERVAL, livenessIntervalMs: 30 });
  await waitState(h, 'authenticated');
  const before = await authStatusCalls();
  const started = Date.now();
  await waitFor(() => Date.now() - started >= 3000, 5000, 'three seconds', 50);
  const calls = (await authStatusCalls()) - before;
  const elapsed = Date.now() - started;
  t.ok(calls <= Math.floor(elapsed / INTERVAL) + 1, `${calls} checks in ${elapsed} ms: at most one per ${INTERVAL} ms`);
  t.ok(calls >= 3, `and they kept coming (${calls})`);
  t.ok(h.keeper.metrics().endpoints.liveness.calls >= 20, 'the keeper woke often');
  t.equal(h.keeper.metrics().counters.penalties, 0, 'the simulator never answered 429');
  t.notOk(h.keeper.metrics().endpoints.auth.byOutcome['rate-limited'], 'no auth-status call was refused');
  t.equal(h.keeper.status().state, 'authenticated');
});

t.test('the check takes its slot where the keeper is told: refused, nothing is sent', async (t) => {
  const asked: string[] = [];
  const h = startKeeper(t, sim, { tickleIntervalMs: 60_000, authCheckIntervalMs: 100 }, {
    acquireAuthCheck: async (path) => {
      asked.push(path);
      throw new Error('no slot'); // a floor (or any other policy) that says not now
    },
  });
  await waitState(h, 'authenticated');
  const before = await authStatusCalls();
  await waitFor(() => asked.length >= 5, 8000, 'slots asked for');
  t.equal((await authStatusCalls()) - before, 0, 'no check went out without a slot');
  t.same([...new Set(asked)], ['/iserver/auth/status'], 'asked by path, as the shared pacer counts it');
  t.equal(h.keeper.status().state, 'authenticated', 'a skipped check changes nothing');
});

t.test('the check counts in the budget the pass-through shares: its call takes a slot in the shared pacer', async (t) => {
  const slots: Array<{ path: string; essential: boolean }> = [];
  const pacer: CallPacer = {
    acquire: async (path, o) => {
      slots.push({ path, essential: o?.essential === true });
      return { sentAt: Date.now(), waitedMs: 0, release: () => {} };
    },
    penalize: () => {},
  };
  const h = startKeeper(t, sim, { tickleIntervalMs: 60_000, authCheckIntervalMs: INTERVAL }, { pacer });
  await waitState(h, 'authenticated');
  const before = await authStatusCalls();
  await waitFor(async () => (await authStatusCalls()) >= before + 2, 8000, 'two checks');
  const checks = slots.filter((s) => s.path === '/iserver/auth/status');
  t.ok(checks.length >= 2, `each check took a slot (${checks.length})`);
  t.ok(checks.every((c) => c.essential), 'as the keeper\'s: ahead of the apps, inside the reserved share');
  t.ok(slots.some((s) => s.path === '/tickle'), 'as the tickle does');
});

t.test('the keeper\'s own floor: one slot per gap, refused in between', async (t) => {
  let now = 1000;
  const pacer = new MinGapPacer(INTERVAL, () => now);
  await t.resolves(pacer.acquire('/iserver/auth/status'));
  now += INTERVAL - 1;
  await t.rejects(pacer.acquire('/iserver/auth/status'), 'one ms early: refused');
  now += 1;
  await t.resolves(pacer.acquire('/iserver/auth/status'));
  t.equal(pacer.nextAt, now + INTERVAL);
});
