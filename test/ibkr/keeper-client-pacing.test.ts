/**
 * The session keeper's client through the shared pacer: its calls keep to IBKR's limits
 * beside the apps' and a 429 it meets holds the apps' calls too.
 */
import t from 'tap';
import { Pacer } from '../../daemon/ibkr/pacer.js';
import { GatewayClient } from '../../daemon/session/gateway-client.js';
import { startSim } from '../helpers/sim.js';

t.test('keeper calls are paced with the apps and share the penalty box', async (t) => {
  const sim = await startSim(t, { simConfig: { penaltyMs: 60_000 } });
  await sim.control('/session/login', { username: 'demo' });
  const pacer = new Pacer({ globalPerSec: 10, reservedForSession: 1, guardMs: 250, perEndpoint: { '/tickle': { count: 1, perMs: 1000 } }, maxWaitMs: 10_000, maxQueue: 100 });
  const client = new GatewayClient({ baseUrl: () => sim.baseUrl, ca: async () => sim.ca, timeoutMs: 3000, pacer, penaltyMs: 60_000 });
  t.teardown(async () => { pacer.close(); await client.close(); });

  // The keeper's connection is kept alive: open it first, as the keeper's first probe would.
  t.equal((await client.call('/', { klass: 'liveness', method: 'GET', raw: true })).outcome, 'ok');
  // Three tickles at once would break IBKR's 1/s: the pacer spaces them.
  const tickles = await Promise.all([1, 2, 3].map(() => client.call('/tickle', { klass: 'tickle' })));
  t.same(tickles.map((r) => r.outcome), ['ok', 'ok', 'ok']);
  t.equal((await sim.control('/state')).rateLimits.breaches, 0, 'the simulator saw 1/s kept');

  // Unpaced, the same burst is a breach: a 429 that the client reports to the shared pacer.
  const bare = new GatewayClient({ baseUrl: () => sim.baseUrl, ca: async () => sim.ca, timeoutMs: 3000 });
  t.teardown(() => bare.close());
  await Promise.all([1, 2].map(() => bare.call('/tickle', { klass: 'tickle' })));
  const boxed = await client.call('/iserver/auth/status', { klass: 'auth' });
  t.equal(boxed.outcome, 'rate-limited');
  t.ok(pacer.penaltyUntil(), 'the 429 opened the shared penalty box');
  t.equal((await pacer.acquire('/portfolio/accounts').catch((e) => e)).code, 'IBGW_IBKR_PENALTY', 'app calls are held');
});
