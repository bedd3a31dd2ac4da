/**
 * The pass-through against the real simulated gateway, through the whole daemon: five apps,
 * 200 requests at once, and the simulator's own rate counters as the judge.
 */
import t from 'tap';
import { startApiDaemon } from '../helpers/api-daemon.js';

const ACCOUNT = 'DU1234567';

function appRequests(app: number): string[] {
  const paths = ['/portfolio/accounts', '/iserver/accounts', `/portfolio/${ACCOUNT}/summary`];
  for (let k = 0; k < 17; k++) paths.push(`/portfolio/${ACCOUNT}/positions/${(app * 5 + k) % 30}`);
  for (let k = 0; k < 20; k++) paths.push(`/iserver/marketdata/snapshot?conids=${((app * 10 + k) % 45) + 1}&fields=31`);
  return paths;
}

t.test('200 concurrent requests from 5 apps stay within IBKR\'s limits and none is lost', async (t) => {
  // The session keeper runs as shipped (tickles, liveness probes every 5 s): its calls share the budget.
  const d = await startApiDaemon(t, { api: { passThrough: { queue: { maxWaitMs: 60_000 } } } });
  await d.waitGateway('running');
  await d.login();
  await d.control('/reset', {});
  const base = (await d.control('/state')).counters as Record<string, number>;

  const apps = Array.from({ length: 5 }, (_, app) => appRequests(app));
  t.equal(apps.flat().length, 200);
  const answers = await Promise.all(apps.flatMap((paths) => paths.map(async (path) => {
    const res = await fetch(`${d.daemon.apiUrl}/api/v1/ibkr${path}`, { headers: { authorization: `Bearer ${d.token}` } });
    return { path, status: res.status, cache: res.headers.get('x-ibgw-cache'), body: await res.text() };
  })));
  const failed = answers.filter((a) => a.status !== 200);
  t.same(failed, [], 'every request was answered 200');

  const state = await d.control('/state');
  t.equal(state.rateLimits.breaches, 0, `the simulator saw no limit broken (last: ${JSON.stringify(state.rateLimits.lastBreach)})`);
  t.equal(state.rateLimits.refusedInBox, 0);
  t.same(state.penaltyBox, [], 'no penalty box');
  t.ok(state.rateLimits.peak['127.0.0.1 *'] <= 10, `global peak ${state.rateLimits.peak['127.0.0.1 *']} ≤ 10 in any second`);
  const upstream = Object.entries(state.counters as Record<string, number>)
    .filter(([path]) => path.startsWith('/v1/api/') && path !== '/v1/api/tickle')
    .reduce((sum, [path, n]) => sum + n - (base[path] ?? 0), 0);
  const distinct = new Set(apps.flat()).size;
  t.ok(upstream >= distinct && upstream < 200, `${upstream} gateway calls for 200 requests (${distinct} distinct)`);
  t.ok(answers.some((a) => a.cache === 'hit' || a.cache === 'coalesced'), 'repeats were shared');

  // Coalescing, counted at the simulator: 20 identical requests at once, one gateway call.
  const path = `/portfolio/${ACCOUNT}/positions/31`;
  const before = (await d.control('/state')).counters[`/v1/api${path}`] ?? 0;
  const same = await Promise.all(Array.from({ length: 20 }, () => fetch(`${d.daemon.apiUrl}/api/v1/ibkr${path}`, { headers: { authorization: `Bearer ${d.token}` } })));
  t.same([...new Set(same.map((r) => r.status))], [200]);
  const after = (await d.control('/state')).counters[`/v1/api${path}`];
  t.equal(after - before, 1, 'one gateway call for 20 identical requests');
  t.same(new Set(same.map((r) => r.headers.get('x-ibgw-cache'))), new Set(['miss', 'coalesced']));
  const cached = await fetch(`${d.daemon.apiUrl}/api/v1/ibkr${path}`, { headers: { authorization: `Bearer ${d.token}` } });
  t.equal(cached.headers.get('x-ibgw-cache'), 'hit', 'then from the cache');
});
