/**
 * IBKR's pacing: the documented limits as a table (in process, with made-up times) and the 429 +
 * penalty box over the wire with a short penalty.
 */
import t from 'tap';
import { RateLimiter } from '../../scripts/sim/rate-limit.js';
import { defaultSimConfig, DEFAULT_ENDPOINT_LIMITS } from '../../scripts/sim/sim-config.js';
import { startSim } from '../helpers/sim.js';
import { waitFor } from '../../testkit/wait-for.js';

t.test('the documented limits', async (t) => {
  const limits = defaultSimConfig().rateLimits;
  t.equal(limits.globalPerSec, 10);
  t.same(DEFAULT_ENDPOINT_LIMITS['/tickle'], { count: 1, perMs: 1000 });
  t.same(DEFAULT_ENDPOINT_LIMITS['/sso/validate'], { count: 1, perMs: 60_000 });
  t.same(DEFAULT_ENDPOINT_LIMITS['/portfolio/accounts'], { count: 1, perMs: 5000 });
  t.same(DEFAULT_ENDPOINT_LIMITS['/iserver/marketdata/snapshot'], { count: 10, perMs: 1000 });

  const limiter = new RateLimiter(limits, 600_000);
  t.match(limiter.hit('10.0.0.1', '/tickle', 0), { ok: true });
  t.match(limiter.hit('10.0.0.1', '/tickle', 500), { ok: false, reason: '/tickle limit', until: 600_500 });
  t.match(limiter.hit('10.0.0.1', '/iserver/auth/status', 700_000), { ok: true }, 'the penalty ends');
  t.match(limiter.hit('10.0.0.2', '/tickle', 500), { ok: true }, 'per client address');
  t.same(limiter.endpointLimit('/pa/performance'), { key: '/pa/*', limit: { count: 1, perMs: 900_000 } }, 'families with /*');
  t.equal(limiter.endpointLimit('/portfolio/DU1/summary'), null);

  const global = new RateLimiter(limits, 1000);
  for (let i = 0; i < 10; i++) t.match(global.hit('a', '/iserver/auth/status', i), { ok: true });
  t.match(global.hit('a', '/iserver/auth/status', 10), { ok: false, reason: 'global limit' });
  t.match(global.hit('a', null, 500), { ok: false, reason: 'penalty box' }, 'every request is refused while boxed');
  t.same(global.penaltyBox(500), [{ address: 'a', until: 1010, msLeft: 510 }]);
  t.match(global.hit('a', null, 1011), { ok: true }, 'boxed requests did not count');
  const page = new RateLimiter(limits, 1000);
  for (let i = 0; i < 30; i++) t.match(page.hit('b', null, i, false), { ok: true }, 'the login page\'s requests are outside the global budget');
  for (let i = 0; i < 11; i++) page.hit('b', '/iserver/auth/status', 40 + i);
  t.match(page.hit('b', null, 60, false), { ok: false, reason: 'penalty box' }, 'but not outside the box');
});

t.test('over the global limit: 429, then every request 429 until the penalty ends', async (t) => {
  const sim = await startSim(t, { simConfig: { penaltyMs: 2500, rateLimits: { globalPerSec: 5 } } });
  const answers = await Promise.all(Array.from({ length: 12 }, () => sim.request('GET', '/')));
  const statuses = answers.map((a) => a.status);
  t.ok(statuses.filter((s) => s === 302).length <= 5, `at most 5 served: ${statuses.join(',')}`);
  t.ok(statuses.includes(429));
  t.equal((await sim.request('POST', '/v1/api/iserver/auth/status')).status, 429, 'boxed: another endpoint is refused too');
  const state = await sim.control('/state');
  t.match(state.penaltyBox, [{ address: '127.0.0.1', until: Number, msLeft: Number }]);
  t.equal((await sim.request('GET', '/sso/Login')).status, 429, 'the login page is boxed too');
  await waitFor(async () => (await sim.request('GET', '/')).status === 302, 5000, 'the penalty to end');
  t.same((await sim.control('/state')).penaltyBox, []);
  const page = await Promise.all(Array.from({ length: 12 }, () => sim.request('GET', '/sso/static/login.js')));
  t.same([...new Set(page.map((a) => a.status))], [200], 'the login page\'s own files do not count towards the 10/s');
});

t.test('a per-endpoint limit: the second tickle is 429 and boxes the address; reset empties the box', async (t) => {
  const sim = await startSim(t, { simConfig: { penaltyMs: 60_000, rateLimits: { perEndpoint: { '/tickle': { count: 1, perMs: 60_000 } } } } });
  await sim.control('/session/login', {});
  t.equal((await sim.request('POST', '/v1/api/tickle')).status, 200);
  t.equal((await sim.request('POST', '/v1/api/tickle')).status, 429);
  t.equal((await sim.request('POST', '/v1/api/iserver/auth/status')).status, 429, 'the box covers every endpoint');
  await sim.control('/reset', {});
  t.equal((await sim.request('POST', '/v1/api/iserver/auth/status')).status, 200);
});
