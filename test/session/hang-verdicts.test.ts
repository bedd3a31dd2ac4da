/**
 * Slow is not hung, and stopped is not slow. A gateway answering in 3 s is waited for, never
 * restarted; a stopped one (SIGSTOP: what a JVM stuck in GC or a deadlock looks like from
 * outside) is told by its silence at the TLS layer, long before any timeout, and restarted
 * with the short grace a hung gateway gets.
 */
import t from 'tap';
import { loadConfig } from '../../daemon/config/load.js';
import { GatewayClient } from '../../daemon/session/gateway-client.js';
import { cpHarness } from '../helpers/cp-harness.js';
import { groupPids, isAlive } from '../helpers/process-table.js';
import { startKeeper, startTestSim, waitState } from '../helpers/session-harness.js';
import { waitFor } from '../../testkit/wait-for.js';

const shipped = loadConfig({ env: {} }).config.session;

t.test('the client tells a silent gateway from a slow one and from a hung one', async (t) => {
  const sim = await startTestSim(t);
  const client = new GatewayClient({ baseUrl: () => sim.baseUrl, ca: async () => sim.ca, timeoutMs: 3000 });
  t.teardown(() => client.close());
  const probe = () => client.call('/', { klass: 'liveness', method: 'GET', raw: true, handshakeTimeoutMs: 300 });

  await sim.control('/fault/slow', { ms: 800 });
  const slow = await probe();
  t.match(slow, { outcome: 'ok', status: 302 }, 'slow: answered, the handshake came at once');
  t.ok(slow.ms >= 790, `after the delay (${Math.round(slow.ms)} ms)`);

  await sim.control('/fault/slow', { ms: 0 });
  await sim.control('/fault/hang', { on: true });
  const hung = await probe();
  t.match(hung, { outcome: 'timeout' }, 'hung: the handshake came, the answer never did');
  t.equal(hung.error?.code, 'IBGW_GATEWAY_TIMEOUT');
  await sim.control('/reset', {});

  process.kill(sim.pid, 'SIGSTOP');
  t.teardown(() => void process.kill(sim.pid, 'SIGCONT'));
  const silent = await probe();
  t.match(silent, { outcome: 'silent', status: null }, 'stopped: not one byte of the handshake');
  t.equal(silent.error?.code, 'IBGW_GATEWAY_SILENT');
  process.kill(sim.pid, 'SIGCONT');
  t.match(await probe(), { outcome: 'ok' }, 'running again: answered');
  t.equal(client.inflight(), 0);
  t.match(client.stats().liveness.byOutcome, { silent: 1, timeout: 1 });
});

t.test('a gateway answering in 3 s is never restarted (shipped probe settings)', async (t) => {
  const sim = await startTestSim(t);
  await sim.control('/session/login', { username: 'demo' });
  // Every setting that judges a hang as shipped; the tickle and the auth-status check more often,
  // so they are slow answers too within the test's time.
  const { requestTimeoutMs, hangThreshold, livenessIntervalMs, livenessTimeoutMs, handshakeTimeoutMs, suspectProbeMs } = shipped;
  const h = startKeeper(t, sim, {
    requestTimeoutMs, hangThreshold, livenessIntervalMs, livenessTimeoutMs, handshakeTimeoutMs, suspectProbeMs,
    tickleIntervalMs: 7000, authCheckIntervalMs: 4000,
  });
  await waitState(h, 'authenticated');
  await sim.control('/fault/slow', { ms: 3000 });
  const before = h.keeper.metrics().endpoints;
  const answered = (k: 'liveness' | 'tickle' | 'auth') => h.keeper.metrics().endpoints[k].calls - before[k].calls;
  // An answered tickle or check is a look at the gateway too: the liveness probe fills the gaps.
  const all = () => answered('liveness') + answered('tickle') + answered('auth');
  await waitFor(() => answered('liveness') >= 1 && answered('tickle') >= 1 && answered('auth') >= 1 && all() >= 6, 40_000, 'slow answers to every probe', 50)
    .catch((err: Error) => { throw new Error(`${err.message}: ${JSON.stringify(h.keeper.metrics().endpoints)} ${JSON.stringify(h.events.map((e) => e.message))}`); });
  const m = h.keeper.metrics().endpoints;
  for (const k of ['liveness', 'tickle', 'auth'] as const) {
    t.ok((m[k].maxMs ?? 0) >= 2900, `${k}: slow answers (${m[k].maxMs} ms)`);
    t.equal(m[k].byOutcome.silent ?? 0, 0, `${k}: never taken for a stopped process, the handshake always came`);
  }
  t.equal(h.gateway.restarts.length, 0, 'no restart');
  t.notOk(h.events.some((e) => e.type === 'session.restart'), 'no restart requested');
  t.equal(h.keeper.status().state, 'authenticated', 'still authenticated');
});

t.test('a stopped gateway (SIGSTOP) is found by its silence and restarted with the hung grace', async (t) => {
  // Timeouts far out of reach: only the handshake watch can decide within the test.
  const h = await cpHarness(t, {
    session: { livenessIntervalMs: 200, livenessTimeoutMs: 30_000, requestTimeoutMs: 30_000, tickleIntervalMs: 60_000, handshakeTimeoutMs: 400, hangStopGraceMs: 700 },
    gateway: { stopGraceMs: 600_000 },
  });
  await waitFor(() => h.keeper.status().ladder.level >= 3, 20_000, 'the gateway answering');
  const first = h.sup.status().pid!;
  const members = groupPids(first);
  process.kill(-first, 'SIGSTOP');
  await waitFor(() => h.sup.status().state === 'running' && h.sup.status().pid !== first, 30_000, `a new gateway (at ${h.sup.status().state}; session ${h.keeper.status().state}: ${h.keeper.status().reason})`);
  const restart = h.events.find((e) => e.type === 'session.restart');
  t.match(restart?.message, /hang: 2 probes unanswered .*no TLS handshake/, 'the reason names the silence');
  t.same(h.restartGraces, [700], 'the keeper asked for session.hangStopGraceMs, not gateway.stopGraceMs (600 s)');
  const endpoints = h.keeper.metrics().endpoints;
  t.ok((endpoints.liveness.byOutcome.silent ?? 0) + (endpoints.tickle.byOutcome.silent ?? 0) >= 2, 'two silent probes');
  t.equal((endpoints.liveness.byOutcome.timeout ?? 0) + (endpoints.tickle.byOutcome.timeout ?? 0), 0, 'no timeout was waited out');
  // 143: the simulator's (and the JVM's) answer to TERM; a KILL would show as signal SIGKILL.
  t.match(h.sup.status().lastExit, { code: 143, signal: null }, 'SIGCONT after TERM: the stopped gateway acted on the TERM');
  t.same(groupPids(first), [], 'nothing of the stopped group is left');
  for (const p of members) t.notOk(isAlive(p), `pid ${p} is gone`);
  await waitFor(() => h.keeper.status().ladder.level >= 3, 20_000, 'the new gateway answering');
  t.equal(h.restartGraces.length, 1, 'one restart');
});
