/**
 * The session side of maintenance, with the real session keeper against the simulated gateway:
 * - an admin window pauses the keeper's escalation exactly like IBKR's reset does;
 * - with credentials stored, the health gate asks for an authenticated session: a staged
 *   allow-list change that locks the daemon out passes "ready" but never authenticates, so it
 *   is rolled back, and the session comes back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { MaintenanceCalendar } from '../../daemon/maintenance/calendar.js';
import { AdminWindowSource } from '../../daemon/maintenance/admin-source.js';
import { WindowBook } from '../../daemon/maintenance/window-book.js';
import { SessionKeeper } from '../../daemon/session/keeper.js';
import { Store } from '../../daemon/store/store.js';
import { gatewayStack } from '../helpers/maintenance-stack.js';
import { tempDataDir } from '../helpers/maintenance-harness.js';
import { fastSessionConfig, startKeeper, startTestSim, waitState } from '../helpers/session-harness.js';
import { waitFor } from '../../testkit/wait-for.js';

t.test('an admin window pauses escalation like an IBKR reset: no restart inside, one check after', async (t) => {
  const sim = await startTestSim(t);
  await sim.control('/session/login', { username: 'demo' });
  const store = new Store({ dataDir: tempDataDir(t), maxEvents: 100 });
  await store.open();
  const book = new WindowBook({ store, limits: () => ({ maxWindowMinutes: 4320, overlapHorizonDays: 90 }), now: Date.now });
  const endsAt = Date.now() + 4000;
  book.add({ title: 'quiet please', action: 'quiet', start: new Date(Date.now() - 60_000).toISOString(), end: new Date(endsAt).toISOString() }, 'admin');
  const calendar = new MaintenanceCalendar([new AdminWindowSource(book)]);
  const h = startKeeper(t, sim, {}, { calendar });
  await waitState(h, 'authenticated');
  t.match(h.keeper.status(), { inMaintenance: true, maintenanceWindow: { reason: /quiet please \(quiet\)/ } });
  await sim.control('/fault/hang', { on: true });
  await waitFor(() => /maintenance window: no restart/.test(h.keeper.status().reason ?? ''), 3500, 'the hang seen inside the window');
  t.equal(h.gateway.restarts.length, 0, 'no restart inside the admin window');
  await waitFor(() => h.gateway.restarts.length === 1, 8000, 'a restart once the window ended');
  t.ok(Date.now() >= endsAt - 50, 'only after the window');
  await sim.control('/fault/hang', { on: false });
});

/** Logs in the way a stored-credentials login would, through the simulator's control channel. */
async function loginThroughControl(dataDir: string): Promise<'ok' | 'failed'> {
  try {
    const info = JSON.parse(readFileSync(join(dataDir, 'gateway/sim-control.json'), 'utf8')) as { port: number; token: string };
    const res = await fetch(`http://127.0.0.1:${info.port}/session/login`, {
      method: 'POST', headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo' }),
    });
    return res.ok ? 'ok' : 'failed';
  } catch {
    return 'failed';
  }
}

t.test('with credentials the gate waits for the session: a change that locks the daemon out is rolled back', async (t) => {
  let keeper: SessionKeeper | null = null;
  const s = await gatewayStack(t, {
    // The managed simulator keeps IBKR's rate limits (1 tickle/s, 10 req/s): the keeper is paced
    // for them below, and a penalty would last only a second.
    config: { gateway: { simulator: { penaltyMs: 1000 } } },
    maintenance: {
      start: '2030-01-07T00:05:00Z',
      config: { healthGate: { timeoutMs: 8000, stableMs: 300, pollMs: 50 } },
      hasCredentials: () => true,
      session: () => keeper,
    },
  });
  const sup = s.supervisor;
  keeper = new SessionKeeper({
    config: fastSessionConfig({ loginBudget: { perDay: 50, perHour: 50 }, tickleIntervalMs: 1200, requestTimeoutMs: 1000, livenessIntervalMs: 500, livenessTimeoutMs: 300, suspectProbeMs: 100 }),
    baseUrl: () => s.gateway.baseUrl(),
    ca: () => s.gateway.ca(),
    gateway: {
      isRunning: () => ['starting', 'running'].includes(sup.status().state),
      isReady: () => sup.status().state === 'running',
      restart: (reason) => sup.restart(reason).then(() => undefined),
    },
    login: () => loginThroughControl(s.dataDir),
    gatewayPollMs: 50, minTickleGapMs: 1100,
  });
  const k = keeper;
  t.teardown(() => k.stop());
  sup.on('ready', () => k.onGatewayReady());
  sup.on('exit', () => k.onGatewayDown());
  k.start();
  await sup.start('test');
  await waitFor(() => k.status().authenticated, 15_000, 'the first login').catch((err: Error) => { throw new Error(`${err.message}: ${JSON.stringify(k.status())}`); });

  await s.m.service.stage({ kind: 'access', op: 'add', list: 'deny', entry: '127.0.0.1', force: true }, 'admin');
  s.m.service.addWindow({ title: 'lockout', action: 'apply', start: '2030-01-07T01:00:00Z', end: '2030-01-07T01:30:00Z' }, 'admin');
  await s.m.advanceTo('2030-01-07T01:00:00Z');
  const rolled = s.m.of('maintenance.rolled-back');
  t.equal(rolled.length, 1, 'rolled back');
  t.match(rolled[0], { data: { reason: /session not authenticated within 8000 ms \(session access-denied\)/ } });
  t.notOk(/127\.0\.0\.1\n/.test(s.confText().split('deny:')[1] ?? ''), 'the deny entry is gone again');
  t.equal(k.status().authenticated, true, 'the session is back (the gate passed on it)');
  t.equal(sup.status().state, 'running');
  t.equal(s.m.service.pending.count(), 0, 'the failed change is not retried at the next window');
});
