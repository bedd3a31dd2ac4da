import t from 'tap';
import { Pacer, type PacerSettings } from '../../daemon/ibkr/pacer.js';

const settings = (over: Partial<PacerSettings> = {}): PacerSettings => ({
  globalPerSec: 20, reservedForSession: 0, guardMs: 0, perEndpoint: {}, maxWaitMs: 10_000, maxQueue: 500, ...over,
});

t.test('never more than the global limit in any window, none lost', async (t) => {
  const pacer = new Pacer(settings({ globalPerSec: 20 }));
  t.teardown(() => pacer.close());
  // Send times as the pacer's own clock saw them: the checks do not depend on the machine's speed.
  const sent: number[] = [];
  await Promise.all(Array.from({ length: 45 }, (_, i) => pacer.acquire(`/p/${i}`).then((p) => sent.push(p.sentAt))));
  t.equal(sent.length, 45, 'every request went');
  sent.sort((a, b) => a - b);
  for (let i = 0; i + 20 < sent.length; i++) t.ok(sent[i + 20]! - sent[i]! >= 1000, `sends ${i} and ${i + 20} are a window apart`);
  t.equal(pacer.stats().sent, 45);
});

t.test('per-endpoint windows and concurrency caps; other endpoints are not held up', async (t) => {
  const pacer = new Pacer(settings({ perEndpoint: { '/slow/*': { count: 2, perMs: 400 }, '/history': { concurrent: 2 } } }));
  t.teardown(() => pacer.close());
  const slow: number[] = [];
  const order: string[] = [];
  const slowCalls = Array.from({ length: 6 }, (_, i) => pacer.acquire(`/slow/${i}`).then((p) => { slow.push(p.sentAt); order.push('slow'); }));
  const fast = pacer.acquire('/fast').then(() => order.push('fast'));
  await Promise.all([...slowCalls, fast]);
  t.ok(order.indexOf('fast') < 4, 'a free endpoint is not queued behind a held one');
  slow.sort((a, b) => a - b);
  for (let i = 0; i + 2 < slow.length; i++) t.ok(slow[i + 2]! - slow[i]! >= 400, 'the family shares one window');

  let open = 0;
  let most = 0;
  await Promise.all(Array.from({ length: 6 }, async () => {
    const permit = await pacer.acquire('/history');
    open++;
    most = Math.max(most, open);
    await new Promise((r) => setImmediate(r));
    open--;
    permit.release();
  }));
  t.equal(most, 2, 'at most two open at once');
});

t.test('the session keeper\'s share and its place in line', async (t) => {
  const pacer = new Pacer(settings({ globalPerSec: 3, reservedForSession: 1 }));
  t.teardown(() => pacer.close());
  const order: string[] = [];
  const apps = Array.from({ length: 4 }, (_, i) => pacer.acquire(`/a/${i}`).then(() => order.push(`app${i}`)));
  await new Promise((r) => setImmediate(r));
  t.same(order, ['app0', 'app1'], 'apps use globalPerSec - reservedForSession');
  const tickle = pacer.acquire('/tickle', { essential: true }).then(() => order.push('tickle'));
  await tickle;
  t.same(order, ['app0', 'app1', 'tickle'], 'the reserved slot is the keeper\'s at once');
  await Promise.all(apps);
  t.same(order.slice(3), ['app2', 'app3']);
});

t.test('a wait beyond the bound is refused at once with Retry-After; a full queue too', async (t) => {
  const pacer = new Pacer(settings({ globalPerSec: 2, maxWaitMs: 1500, maxQueue: 5, perEndpoint: { '/accounts': { count: 1, perMs: 5000 } } }));
  t.teardown(() => pacer.close());
  await pacer.acquire('/accounts');
  const refused = await pacer.acquire('/accounts').catch((e) => e);
  t.equal(refused.code, 'IBGW_IBKR_BUSY');
  t.equal(refused.statusCode, 429);
  t.ok(refused.details.retryAfter >= 4, `Retry-After ${refused.details.retryAfter} s: the endpoint's next slot`);
  // Two a second: the request three places back would wait two seconds, beyond the 1.5 s bound.
  const results = await Promise.all(Array.from({ length: 4 }, (_, i) => pacer.acquire(`/q/${i}`).then(() => 'sent', (e) => e.code)));
  t.same(results, ['sent', 'sent', 'sent', 'IBGW_IBKR_BUSY'], 'admitted requests go, the one beyond the bound is refused');

  const small = new Pacer(settings({ globalPerSec: 1, maxQueue: 2 }));
  t.teardown(() => small.close());
  await small.acquire('/a');
  const waiting = [small.acquire('/b'), small.acquire('/c')];
  t.equal((await small.acquire('/d').catch((e) => e)).code, 'IBGW_IBKR_BUSY', 'a full queue refuses');
  small.close();
  await Promise.allSettled(waiting);
});

t.test('penalty box: app calls refused with 503 until it ends, essential calls still go', async (t) => {
  const pacer = new Pacer(settings({ globalPerSec: 1 }));
  t.teardown(() => pacer.close());
  await pacer.acquire('/x');
  const waiting = pacer.acquire('/y').catch((e) => e);
  const until = Date.now() + 60_000;
  pacer.penalize(until);
  const err = await waiting;
  t.equal(err.code, 'IBGW_IBKR_PENALTY');
  t.equal(err.statusCode, 503);
  t.ok(err.details.retryAfter > 50 && err.details.retryAfter <= 60);
  t.equal((await pacer.acquire('/z').catch((e) => e)).code, 'IBGW_IBKR_PENALTY', 'new calls too');
  pacer.penalize(until + 60_000);
  t.equal(pacer.penaltyUntil(), until, 'a 429 inside the box does not extend it');
  const essential = await pacer.acquire('/tickle', { essential: true });
  t.ok(essential, 'the tickle still goes (after the window frees)');
});

t.test('an app that goes away leaves the queue', async (t) => {
  const pacer = new Pacer(settings({ globalPerSec: 1 }));
  t.teardown(() => pacer.close());
  await pacer.acquire('/x');
  const abort = new AbortController();
  const gone = pacer.acquire('/y', { signal: abort.signal }).catch((e) => e.code);
  t.equal(pacer.depth(), 1);
  abort.abort();
  t.equal(await gone, 'IBGW_IBKR_CLOSED');
  t.equal(pacer.depth(), 0);
});
