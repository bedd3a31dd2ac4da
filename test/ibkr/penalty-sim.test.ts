/**
 * An upstream 429: the pass-through holds every app call for the penalty box and answers 503
 * with Retry-After, and the simulator sees nothing more from it meanwhile.
 */
import t from 'tap';
import { checkGate } from '../../daemon/ibkr/gateway-gate.js';
import { Pacer } from '../../daemon/ibkr/pacer.js';
import { PassThrough } from '../../daemon/ibkr/pass-through.js';
import { ResponseCache } from '../../daemon/ibkr/response-cache.js';
import { GatewayUpstream } from '../../daemon/ibkr/upstream.js';
import { startSim } from '../helpers/sim.js';

t.test('an upstream 429 holds all app calls for the penalty box', async (t) => {
  // The simulator allows /portfolio/accounts once a minute; our pacer is told nothing about it.
  const sim = await startSim(t, { simConfig: { penaltyMs: 60_000, rateLimits: { perEndpoint: { '/portfolio/accounts': { count: 1, perMs: 60_000 } } } } });
  await sim.control('/session/login', { username: 'demo' });
  const pacer = new Pacer({ globalPerSec: 10, reservedForSession: 1, guardMs: 150, perEndpoint: {}, maxWaitMs: 5000, maxQueue: 100 });
  const upstream = new GatewayUpstream({ baseUrl: () => sim.baseUrl, ca: async () => sim.ca });
  t.teardown(() => { pacer.close(); upstream.close(); });
  const pass = new PassThrough({
    upstream, pacer, cache: new ResponseCache({ maxEntries: 10, maxBytes: 100_000 }),
    settings: { allowTrading: false, timeoutMs: 5000, maxResponseBytes: 1_000_000, ttlMs: {} },
    gate: () => checkGate({ gatewayState: () => 'running', session: () => null, calendar: null, penaltyUntil: () => pacer.penaltyUntil() }),
    penaltyMs: () => 120_000,
  });
  const first = await pass.forward({ method: 'GET', target: '/portfolio/accounts' });
  t.equal(first.status, 200);
  const second = await pass.forward({ method: 'GET', target: '/portfolio/accounts' }).catch((e) => e);
  t.match([second.statusCode, second.details.reason], [503, 'penalty-box']);
  t.ok(second.details.retryAfter > 100, `Retry-After ${second.details.retryAfter} s`);
  const counted = (await sim.control('/state')).rateLimits.admitted;
  const held = await Promise.all(['/iserver/accounts', '/portfolio/DU1234567/summary'].map((p) => pass.forward({ method: 'GET', target: p }).catch((e) => e)));
  t.same(held.map((e) => e.statusCode), [503, 503], 'everything else is held too');
  const state = await sim.control('/state');
  t.equal(state.rateLimits.admitted, counted, 'nothing reached the simulator meanwhile');
  t.equal(state.rateLimits.refusedInBox, 0, 'not even a refused call');
});
