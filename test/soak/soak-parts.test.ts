/**
 * The soak run's own logic, without a daemon: the seeded schedule (replayable), the slope over
 * restarted segments, and the invariants' judgement on made-up observations.
 */
import t from 'tap';
import { parseSoakArgs } from '../../soak/args.js';
import { catalog, FAULTS, Schedule } from '../../soak/faults/catalog.js';
import { EventInvariant } from '../../soak/invariants/event-invariant.js';
import { isDocumented, routeOf } from '../../soak/invariants/api-invariant.js';
import { ReadinessInvariant } from '../../soak/invariants/readiness-invariant.js';
import { stepPrng } from '../../soak/prng.js';
import { pooledSlope } from '../../soak/stats.js';
import { Violations } from '../../soak/violations.js';

const violations = () => new Violations('s1', Date.now(), { index: 7, fault: 'gateway-crash' });
const result = (status: number, code: string | null) => ({ status, code, body: null, text: '', error: null, ms: 1 });

t.test('a seed gives the same schedule and the same draws per step, whatever ran before', async (t) => {
  const { faults, skipped } = catalog(new Set());
  t.ok(skipped.some((s) => s.fault === 'maintenance-window' && s.needs === 'maintenance'), 'a fault whose capability is missing is left out, and said so');
  const a = new Schedule('seed-a', faults);
  const b = new Schedule('seed-a', faults);
  const names = (s: Schedule) => Array.from({ length: 60 }, (_, i) => s.faultAt(i).name);
  t.same(names(a), names(b));
  t.not(names(new Schedule('seed-b', faults)).join(), names(a).join(), 'another seed, another order');
  const deck = faults.reduce((n, f) => n + f.weight, 0);
  t.same(new Set(names(a).slice(0, deck)), new Set(faults.map((f) => f.name)), 'one round meets every fault');
  t.equal(stepPrng('x', 17).int(0, 1e9), stepPrng('x', 17).int(0, 1e9), 'step 17 draws the same alone');
  t.ok(FAULTS.every((f) => f.recovered.length > 20 && f.boundMs > 0), 'every fault says what recovered means and its bound');
});

t.test('arguments', async (t) => {
  t.match(parseSoakArgs([]), { minutes: 30, report: null, fromStep: 0, steps: null, keep: false });
  t.match(parseSoakArgs(['--minutes', '2', '--seed', 'abc', '--from-step', '5', '--steps', '1']), { minutes: 2, seed: 'abc', fromStep: 5, steps: 1 });
  t.throws(() => parseSoakArgs(['--minutes', 'x']), /--minutes/);
  t.throws(() => parseSoakArgs(['--minutes', '0']), /--minutes/);
  t.throws(() => parseSoakArgs(['--nope']));
});

t.test('the slope is shared by restarted segments and ignores the fall at each restart', async (t) => {
  const hour = 3_600_000;
  // Two daemon runs, each growing 2 MB/hour, the second starting lower again.
  const seg = (t0: number, base: number) => Array.from({ length: 10 }, (_, i) => ({ t: t0 + i * 60_000, value: base + (2 * i * 60_000) / hour }));
  t.equal(Number((pooledSlope([seg(0, 80), seg(20 * 60_000, 60)])! * hour).toFixed(6)), 2);
  t.equal(pooledSlope([[{ t: 0, value: 1 }]]), null, 'one sample says nothing');
});

t.test('only the documented 503s pass', async (t) => {
  t.ok(isDocumented('/readyz', result(503, null)));
  t.ok(isDocumented('/api/v1/ibkr/x', result(503, 'IBGW_IBKR_UNAVAILABLE')));
  t.notOk(isDocumented('/api/v1/status', result(503, null)));
  t.notOk(isDocumented('/readyz', result(500, null)));
  t.equal(routeOf('GET', '/api/v1/events?sinceId=3'), 'GET /api/v1/events');
  t.equal(routeOf('POST', '/api/v1/conf/rollback/12'), 'POST /api/v1/conf/rollback/:id');
});

t.test('the event tail finds gaps, reused ids and events gone', async (t) => {
  const ev = (id: number, type = 'x') => ({ id, type, at: `t${id}`, message: `m${id}` });
  const v = violations();
  const tail = new EventInvariant(v);
  tail.add([1, 2, 3].map((i) => ev(i)), 0);
  tail.add([2, 3, 4, 5].map((i) => ev(i)), 1);
  t.equal(v.list.length, 0, 'overlapping reads of a contiguous store are fine');
  t.equal(tail.lastId, 5);
  tail.add([ev(4), { ...ev(5), type: 'other' }, ev(6)], 3);
  t.match(v.list[0], { invariant: 'event-lost', step: 7, seed: 's1', replay: 'npm run soak -- --seed s1 --from-step 7 --steps 1' });
  tail.add([ev(6), ev(8)], 5);
  t.match(v.list[1], { invariant: 'event-lost', detail: /6 to 8/ });
  tail.add([ev(9)], 7);
  t.match(v.list[2], { invariant: 'event-lost', detail: /event 8 .* no longer/ });
});

t.test('ready while nothing works: a violation only past the grace', async (t) => {
  const v = violations();
  const r = new ReadinessInvariant(v, 10_000);
  r.add({ ready: true, brokerageOk: false, reason: 'HTTP 401' }, 0);
  r.add({ ready: true, brokerageOk: false, reason: 'HTTP 401' }, 9_000);
  r.add({ ready: false, brokerageOk: false, reason: 'HTTP 401' }, 9_500);
  t.equal(v.list.length, 0, 'stale for less than the grace');
  r.add({ ready: true, brokerageOk: false, reason: 'TIMEOUT' }, 20_000);
  r.add({ ready: true, brokerageOk: false, reason: 'TIMEOUT' }, 31_000);
  r.add({ ready: true, brokerageOk: false, reason: 'TIMEOUT' }, 32_000);
  t.equal(v.list.length, 1);
  t.match(v.list[0], { invariant: 'ready-not-usable', detail: /11 s .*TIMEOUT ×2/ });
  t.equal(r.longestStaleMs, 12_000);
});
