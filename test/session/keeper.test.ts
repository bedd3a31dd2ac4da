/**
 * The keeper against a real simulated gateway over verified TLS: keep-alive, session expiry,
 * login (or not), and the record it keeps.
 */
import t from 'tap';
import { GatewayClient } from '../../daemon/session/gateway-client.js';
import { startKeeper, startTestSim, waitState } from '../helpers/session-harness.js';
import { waitFor } from '../../testkit/wait-for.js';

// One simulator for the file (starting one costs ~1.5 s); each test starts from a clean slate.
const sim = await startTestSim(t);
t.beforeEach(async () => {
  await sim.control('/reset', {});
  await sim.control('/session/expire', {});
});

t.test('tickles an authenticated session and reports it', async (t) => {
  await sim.control('/session/login', { username: 'demo' });
  // Tickles slower than the liveness probe, so probes fall between them.
  const h = startKeeper(t, sim, { tickleIntervalMs: 400 });
  await waitState(h, 'authenticated');
  await waitFor(() => h.keeper.status().lastTickleAt !== null, 8000, 'a tickle');
  const s = h.keeper.status();
  t.match(s, { authenticated: true, connected: true, competing: false, inMaintenance: false, penaltyUntil: null, loginUrl: `${sim.baseUrl}/`, ladder: { level: 4, name: 'authenticated' } });
  t.ok(s.ssoExpiresAt! > Date.now(), 'ssoExpiresAt is in the future');
  t.type(s.lastTickleMs, 'number');
  await waitFor(() => h.keeper.metrics().endpoints.tickle.calls >= 3 && h.keeper.metrics().endpoints.liveness.calls >= 1, 8000, 'three tickles and a liveness probe');
  const m = h.keeper.metrics();
  t.equal(m.endpoints.tickle.errors, 0);
  t.ok(m.endpoints.liveness.calls >= 1, 'liveness probes between tickles');
  t.ok(m.inflight <= 1);
  t.equal(m.uptime.lastDayPercent, 100);
  t.equal(h.gateway.restarts.length, 0);
  t.ok(h.events.some((e) => e.type === 'session.state' && e.data?.to === 'authenticated'), 'state change recorded as an event');
});

t.test('session expiry without a login function: needs-login with the login URL, no restart, back when someone logs in', async (t) => {
  await sim.control('/session/login', { username: 'demo' });
  const h = startKeeper(t, sim);
  await waitState(h, 'authenticated');
  await sim.control('/session/expire', {});
  await waitState(h, 'needs-login');
  t.equal(h.keeper.status().loginUrl, `${sim.baseUrl}/`);
  t.equal(h.gateway.restarts.length, 0, 'no restart for a missing login');
  const reauths = h.keeper.metrics().endpoints.reauth.calls;
  // A browser login arrives: the keeper notices on its own.
  await sim.control('/session/login', { username: 'demo' });
  await waitState(h, 'authenticated');
  t.equal(h.keeper.metrics().endpoints.reauth.calls, reauths, 'no reauthenticate needed');
  const changes = h.keeper.metrics().stateChanges.map((c) => c.state);
  t.match(changes.join(','), /authenticated,needs-login,authenticated/);
  const uptime = h.keeper.metrics().uptime.lastDayPercent!;
  t.ok(uptime > 0 && uptime < 100, `uptime below 100 % after a drop (${uptime})`);
});

t.test('session expiry with a login function: logs in once, counts it', async (t) => {
  let logins = 0;
  const h = startKeeper(t, sim, {}, {
    login: async (ctx) => {
      logins++;
      t.equal(ctx.loginUrl, `${sim.baseUrl}/`);
      await sim.control('/session/login', { username: 'demo' });
      return 'ok';
    },
  });
  await waitState(h, 'authenticated');
  t.equal(logins, 1);
  t.equal(h.keeper.status().loginsToday, 1);
  await sim.control('/session/expire', {});
  await waitFor(() => logins === 2, 8000, 'a second login');
  await waitState(h, 'authenticated');
  t.equal(h.keeper.status().loginsToday, 2);
  t.equal(h.gateway.restarts.length, 0);
});

t.test('gateway down and up: the keeper follows the supervisor', async (t) => {
  await sim.control('/session/login', { username: 'demo' });
  const h = startKeeper(t, sim);
  await waitState(h, 'authenticated');
  h.gateway.running = false;
  h.gateway.ready = false;
  h.keeper.onGatewayDown();
  t.equal(h.keeper.status().state, 'gateway-down');
  t.equal(h.keeper.status().ladder.level, 0);
  h.gateway.running = true;
  await waitState(h, 'gateway-starting', 8000);
  t.equal(h.keeper.status().ladder.level, 1);
  const calls = h.keeper.metrics().endpoints.tickle.calls;
  h.gateway.ready = true;
  h.keeper.onGatewayReady();
  await waitState(h, 'authenticated');
  t.ok(h.keeper.metrics().endpoints.tickle.calls > calls);
});

t.test('the certificate is verified: without the CA the keeper refuses the gateway', async (t) => {
  await sim.control('/session/login', { username: 'demo' });
  const h = startKeeper(t, sim, {}, { ca: async () => null });
  await waitState(h, 'http-error');
  t.match(h.keeper.status().reason, /certificate|self.signed|verify/i);
  t.equal(h.keeper.status().ladder.hangCount, 0, 'not a hang');
  t.equal(h.gateway.restarts.length, 0);
});

t.test('the client classifies answers and times them per endpoint class', async (t) => {
  const client = new GatewayClient({ baseUrl: () => sim.baseUrl, ca: async () => sim.ca, timeoutMs: 300 });
  t.teardown(() => client.close());
  t.match(await client.call('/no/such/thing', { klass: 'data', method: 'GET' }), { outcome: 'not-found', status: 404, error: null });
  t.match(await client.call('/tickle', { klass: 'tickle' }), { outcome: 'unauthorized', status: 401 });
  t.match(await client.call('/', { klass: 'liveness', method: 'GET', raw: true }), { outcome: 'ok', status: 302 });
  await sim.control('/fault/maintenance', { on: true, status: 502 });
  const five = await client.call('/tickle', { klass: 'tickle' });
  t.match(five, { outcome: 'server-error', status: 502 });
  t.equal(five.error?.code, 'IBGW_GATEWAY_HTTP');
  await sim.control('/fault/hang', { on: true });
  const hung = await client.call('/tickle', { klass: 'tickle' });
  t.equal(hung.outcome, 'timeout');
  t.equal(hung.error?.code, 'IBGW_GATEWAY_TIMEOUT');
  t.ok(hung.ms >= 290 && hung.ms < 2000, `aborted at the timeout (${Math.round(hung.ms)} ms)`);
  t.equal(client.inflight(), 0);
  const stats = client.stats();
  t.match(stats.tickle, { calls: 3, errors: 2, byOutcome: { unauthorized: 1, 'server-error': 1, timeout: 1 } });
  t.equal(stats.data.calls, 1);
  t.type(stats.tickle.p95Ms, 'number');
});
