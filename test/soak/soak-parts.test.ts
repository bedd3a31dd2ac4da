/**
 * The soak run's own logic, without a daemon: the seeded schedule (replayable), the slope over
 * restarted segments, and the invariants' judgement on made-up observations.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../../testkit/wait-for.js';
import { parseSoakArgs } from '../../soak/args.js';
import { catalog, FAULTS, Schedule } from '../../soak/faults/catalog.js';
import type { Capability, SoakContext } from '../../soak/faults/fault.js';
import { dailyReset } from '../../soak/faults/session-faults.js';
import { Injector } from '../../soak/injector.js';
import { EventInvariant } from '../../soak/invariants/event-invariant.js';
import type { ProcessInvariant } from '../../soak/invariants/process-invariant.js';
import { ProcessScan } from '../../soak/invariants/process-scan.js';
import { isDocumented, isPassedOn, routeOf } from '../../soak/invariants/api-invariant.js';
import { ReadinessInvariant } from '../../soak/invariants/readiness-invariant.js';
import { ResourceMonitor } from '../../soak/invariants/resource-monitor.js';
import { stepPrng } from '../../soak/prng.js';
import { twsSession } from '../../soak/tws-app.js';
import { freePort } from '../../testkit/ports.js';
import { pooledFit, pooledSlope, slopeInterval, t975, windowFloors, windowMedians } from '../../soak/stats.js';
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
  // The daemon's kill -9 is in round 0 and every 6th round only: the rounds between are shorter.
  const kills = Array.from({ length: 400 }, (_, i) => i).filter((i) => a.faultAt(i).name === 'daemon-kill9');
  const rare = faults.find((f) => f.name === 'daemon-kill9')!;
  t.equal(rare.everyRounds, 6);
  t.ok(kills[0]! < deck, 'the first round has it');
  t.ok(kills[1]! >= deck + 5 * (deck - 1), 'the next one is six rounds on');
  t.equal(kills.length, 3, '400 steps: rounds 0, 6 and 12');
  t.same(Array.from({ length: 5 }, (_, i) => new Schedule('x', [rare]).faultAt(i).name), Array(5).fill('daemon-kill9'), 'alone in the list, it is every step');
  t.ok(FAULTS.every((f) => f.recovered.length > 20 && f.boundMs > 0), 'every fault says what recovered means and its bound');
});

t.test('the update fault runs only with the update daemon', async (t) => {
  t.notOk(catalog(new Set()).faults.some((f) => f.name === 'update-fails-health-gate'));
  t.ok(catalog(new Set(['gatewayUpdates'])).faults.some((f) => f.name === 'update-fails-health-gate'));
});

t.test('the IB Gateway faults run only with the IB Gateway daemon, never as a step\'s second fault', async (t) => {
  const tws = (set: Set<Capability>) => catalog(set).faults.filter((f) => f.name.startsWith('tws-')).map((f) => f.name);
  t.same(tws(new Set()), []);
  t.same(tws(new Set(['ibGateway'])), ['tws-gateway-crash', 'tws-gateway-kill9', 'tws-gateway-sigstop', 'tws-gateway-hang', 'tws-ibkr-unreachable', 'tws-rejected-password']);
  t.ok(FAULTS.filter((f) => f.name.startsWith('tws-')).every((f) => !f.joins && f.needs === 'ibGateway'), 'never a joiner');
});

t.test('a TWS API session against nothing listening fails with its reason, without throwing', async (t) => {
  const port = await freePort();
  const outcome = await twsSession(port, 4242, 'DU1', 3_000);
  t.equal(outcome.ok, false);
  t.match(outcome.reason, /disconnected|no complete answer|connect/);
});

t.test('the process scan finds a gateway by where it works: <dataDir>/gateway, or the home it is given', async (t) => {
  const dataDir = tempDir(t, 'ibgw-scan-');
  for (const dir of ['gateway', 'ibgateway/settings', 'login']) mkdirSync(join(dataDir, dir), { recursive: true });
  const sleepers = ['gateway', 'ibgateway/settings', 'login'].map((dir) => spawn('sleep', ['30'], { cwd: join(dataDir, dir), stdio: 'ignore' }));
  t.teardown(() => { for (const p of sleepers) p.kill('SIGKILL'); });
  const roles = (scan: ProcessScan) => Object.fromEntries(scan.scan().map((p) => [p.pid, p.role]));
  const [cp, tws, helper] = sleepers.map((p) => p.pid!);
  t.same(roles(new ProcessScan(dataDir)), { [cp!]: 'gateway', [tws!]: 'helper', [helper!]: 'helper' }, 'the Client Portal kinds');
  t.same(roles(new ProcessScan(dataDir, join(dataDir, 'ibgateway'))), { [cp!]: 'helper', [tws!]: 'gateway', [helper!]: 'helper' }, 'the IB Gateway kinds');
});

t.test('a step that could not end by the deadline is not started, its longest hold counted', async (t) => {
  // The context is only touched once a step starts: its first look (the gateway pid) says so.
  const started = new Error('step started');
  const ctx = { pace: { gapMs: () => 0, holdMs: () => 0, compound: 0 }, gatewayPid: async () => { throw started; } } as unknown as SoakContext;
  const run = (fault: typeof dailyReset) => new Injector(ctx, new Schedule('s', [fault]), [fault], violations(), { index: -1, fault: null }, {} as ProcessInvariant)
    .run({ seed: 's', fromStep: 0, steps: 1, deadline: Date.now() + 100_000, startedAt: Date.now() });
  // 100 s left: the bound's half (22.5 s) fits, the reset window's hold (81 s) on top does not.
  await t.resolves(run(dailyReset), 'the daily reset is not started');
  await t.rejects(run({ ...dailyReset, longestHoldMs: undefined }), started, 'without its hold it would have been');
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

t.test('floors: a collector\'s sawtooth with higher peaks late is no growth; a rising floor is', async (t) => {
  const hour = 3_600_000;
  const minute = 60_000;
  // 20 minutes every 5 s: a 100 MB floor, garbage piling up 0.5 MB a sample and collected every
  // 12 samples, the late peaks higher than the early ones.
  const sawtooth = Array.from({ length: 240 }, (_, i) => ({ t: i * 5_000, value: 100 + (i % 12) * (i > 160 ? 1 : 0.5) }));
  const floors = windowFloors(sawtooth, 2 * minute);
  t.equal(floors.length, 9, 'complete windows only');
  t.ok(floors.every((f) => f.value === 100));
  t.equal(pooledSlope([floors]), 0);
  t.ok(pooledSlope([sawtooth])! * hour > 1, 'while a line through the raw samples rises');
  const leaking = sawtooth.map((s) => ({ t: s.t, value: s.value + (3 * s.t) / hour }));
  t.equal(Number((pooledSlope([windowFloors(leaking, 2 * minute)])! * hour).toFixed(1)), 3, 'a leak of 3 MB/hour shows in the floors');
});

t.test('fds: a level with sockets around it and a dip early is no growth; a leak is', async (t) => {
  const hour = 3_600_000;
  const minute = 60_000;
  // 26 minutes every 5 s: 33 descriptors, a socket or two open on most samples, and one moment
  // at minute 3 when six were closed at once (what a run's fd floors showed: 27 among 33s).
  const fds = Array.from({ length: 312 }, (_, i) => ({ t: i * 5_000, value: i === 36 ? 27 : 33 + (i % 3) }));
  t.ok(pooledSlope([windowFloors(fds, 2 * minute)])! * hour > 4, 'a line through the floors reads the early dip as growth of several fds an hour');
  t.equal(pooledSlope([windowMedians(fds, 2 * minute)]), 0, 'the medians do not');
  const leaking = fds.map((s) => ({ t: s.t, value: s.value + Math.floor((12 * s.t) / hour) }));
  t.equal(Math.round(pooledSlope([windowMedians(leaking, 2 * minute)])! * hour), 12, 'one fd kept every 5 minutes shows');
});

t.test('a slope\'s 95 % interval, and the verdict: exceeds only when the whole interval is above the limit', async (t) => {
  const hour = 3_600_000;
  const minute = 60_000;
  t.equal(t975(1), 12.706);
  t.equal(t975(30), 2.042);
  t.ok(Math.abs(t975(60) - 2.0) < 0.01 && Math.abs(t975(120) - 1.98) < 0.01, 'past the table within 0.01 of Student\'s t');
  // A straight line fits with no error; two points leave nothing to estimate the error from.
  const line = pooledFit([[{ t: 0, value: 1 }, { t: hour, value: 3 }, { t: 2 * hour, value: 5 }]])!;
  t.match(line, { slope: 2 / hour, df: 1 });
  t.ok(line.se! < 1e-15, 'a straight line fits with no error');
  t.same(slopeInterval(pooledFit([[{ t: 0, value: 1 }, { t: hour, value: 3 }]])!), [-Infinity, Infinity]);
  // Textbook case: x 1..5, y 2,4,5,4,5 → slope 0.6, standard error 0.2828 on 3 df.
  const fit = pooledFit([[2, 4, 5, 4, 5].map((value, i) => ({ t: i + 1, value }))])!;
  t.equal(fit.slope.toFixed(4), '0.6000');
  t.equal(fit.se!.toFixed(4), '0.2828');
  t.equal(fit.df, 3);

  // Floors of a daemon that does not grow: 80 MB, scattered ±1.5 MB as its heap sizes itself
  // (a fixed pattern, not random, so the test cannot pass or fail by chance).
  const scatter = [0, 1.2, -0.8, 1.5, -1.1, 0.3, -1.5, 0.9, -0.2, 1.1, -0.9, 0.4, -1.3];
  const monitorWith = (minutes: number, growthPerHour: number) => {
    const m = new ResourceMonitor('/nonexistent', 0, { warmupMs: 0, longMs: 0, floorWindowMs: 2 * minute, heapFloorWindowMs: 5 * minute });
    const rss = [];
    const fds = [];
    const anon = [];
    const file = [];
    for (let tm = 0; tm <= minutes * minute; tm += 20_000) {
      const w = Math.floor(tm / (2 * minute));
      const anonymous = 36 + scatter[w % scatter.length]! + (growthPerHour * tm) / hour + (tm % (2 * minute) === 0 ? 0 : 3);
      anon.push({ t: tm, value: anonymous });
      file.push({ t: tm, value: 44 }); // node's executable: level once its code paths are reached
      rss.push({ t: tm, value: anonymous + 44 });
      fds.push({ t: tm, value: 33 });
    }
    m.segments.push({ pid: 1, startedAt: 0, rss, fds, heap: [], anon, file });
    return m;
  };
  const limits = { minSpanMs: 10 * minute, rssMbPerHour: 1, fdsPerHour: 6 };
  const judge = (m: ResourceMonitor) => {
    const v = violations();
    return { judgement: m.judge(limits, v), violations: v.list.map((x) => x.invariant), growth: m.growth() };
  };
  const short = judge(monitorWith(26, 0));
  t.equal(short.judgement.rss!.verdict, 'unresolved', '26 minutes of a flat but scattered RSS cannot show ≤ 1 MB/hour');
  t.same(short.violations, [], 'nor is it a violation');
  t.ok(short.growth.rss!.low < 1 && short.growth.rss!.high > 1);
  t.equal(short.judgement.fds!.verdict, 'within', 'a flat fd count is');
  const long = judge(monitorWith(240, 0));
  t.equal(long.judgement.rss!.verdict, 'within', 'four hours of it can');
  const leak = judge(monitorWith(26, 30));
  t.equal(leak.judgement.rss!.verdict, 'exceeds', 'a daemon growing 30 MB/hour is caught in 26 minutes');
  t.same(leak.violations, ['rss-growth']);
  const parts = monitorWith(26, 30).rssPartSlopesMbPerHour();
  t.ok(Math.abs(parts.anonymous! - 30) < 3 && parts.fileBacked === 0, `the growth is told to be anonymous memory (${parts.anonymous} MB/hour), the executable's pages level (${parts.fileBacked})`);
  t.equal(judge(monitorWith(8, 30)).judgement.judged, 'too-short');
});

t.test('the heap beside the RSS: sampled from the daemon\'s own figure, floored, and an answer from a replaced daemon dropped', async (t) => {
  const dir = tempDir(t);
  const pidFile = join(dir, 'daemon.pid');
  writeFileSync(pidFile, String(process.pid)); // this process stands in for the daemon: /proc has it
  const answers: Array<(mb: number | null) => void> = [];
  const monitor = new ResourceMonitor(dir, Date.now(), { warmupMs: 0, longMs: 0, floorWindowMs: 1, heapFloorWindowMs: 1 }, () => new Promise((resolve) => answers.push(resolve)));
  monitor.start(10);
  t.teardown(() => monitor.stop());
  await waitFor(() => answers.length >= 2, 2000, 'two heap reads', 5);
  answers[0]!(30);
  answers[1]!(null); // the daemon did not answer: no sample
  await new Promise((r) => setTimeout(r, 0));
  t.same(monitor.segments[0]!.heap.map((s) => s.value), [30]);
  // The RSS's parts, from this process's own /proc/<pid>/status: node's executable is file-backed,
  // its heap anonymous, and the two (with shared memory, none here) make up the RSS.
  const first = monitor.segments[0]!;
  t.ok(first.file[0]!.value > 5 && first.anon[0]!.value > 5, `file-backed ${first.file[0]!.value.toFixed(1)} MB, anonymous ${first.anon[0]!.value.toFixed(1)} MB`);
  t.ok(Math.abs(first.anon[0]!.value + first.file[0]!.value - first.rss[0]!.value) < 1, 'they add up to the RSS');
  // Another daemon takes the data dir (a restart): the old one's late answer is not its sample.
  await waitFor(() => answers.length >= 3, 2000, 'a third heap read', 5);
  writeFileSync(pidFile, String(process.ppid));
  await waitFor(() => monitor.segments.length >= 2, 2000, 'the new daemon\'s segment', 5);
  answers[2]!(99);
  await new Promise((r) => setTimeout(r, 0));
  t.notOk(monitor.segments.some((seg) => seg.heap.some((s) => s.value === 99)), 'dropped');
  monitor.stop();
  t.equal(monitor.describe()[0]!.heapFloorsMb instanceof Array, true, 'its floors are in the report');
});

t.test('only the documented 503s pass', async (t) => {
  t.ok(isDocumented('/readyz', result(503, null)));
  t.ok(isDocumented('/api/v1/ibkr/x', result(503, 'IBGW_IBKR_UNAVAILABLE')));
  t.notOk(isDocumented('/api/v1/status', result(503, null)));
  t.notOk(isDocumented('/readyz', result(500, null)));
  t.ok(isPassedOn('/api/v1/ibkr/iserver/accounts', result(502, 'IBGW_IBKR_UPSTREAM')), 'IBKR\'s 5xx handed on by the pass-through');
  t.ok(isPassedOn('/api/v1/portfolio?accountId=U1', result(504, 'IBGW_GATEWAY_TIMEOUT')));
  t.notOk(isPassedOn('/api/v1/status', result(502, 'IBGW_IBKR_UPSTREAM')), 'only on the pass-through routes');
  t.notOk(isPassedOn('/api/v1/ibkr/x', result(500, 'IBGW_INTERNAL')));
  t.notOk(isPassedOn('/api/v1/ibkr/x', result(504, 'IBGW_IBKR_UPSTREAM')), 'each code with its own status');
  t.notOk(isPassedOn('/api/v1/session', result(502, 'IBGW_GATEWAY_NETWORK')), 'the session route does not pass IBKR on');
  t.notOk(isPassedOn('/api/v1/ibkr/x', result(502, null)));
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

t.test('logins: the budget over rolling windows, no attempt while a rejected password blocks', async (t) => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { LoginInvariant } = await import('../../soak/invariants/login-invariant.js');
  const dir = mkdtempSync(join(tmpdir(), 'ibgw-soak-parts-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const write = (attempts: number[], blocked: { at: number; reason: string } | null = null) =>
    writeFileSync(join(dir, 'login-budget.json'), JSON.stringify({ version: 1, attempts, blocked }));
  const v = violations();
  const logins = new LoginInvariant(dir, { perHour: 2, perDay: 10 }, v);
  write([1_000, 2_000]);
  logins.check();
  write([2_000, 3_700_000]);
  logins.check();
  t.equal(v.list.length, 0, 'two an hour, the first one dropped from the file later: still two in any hour');
  t.equal(logins.attempts.size, 3, 'every attempt ever seen is kept');
  write([3_700_000, 3_701_000, 3_702_000]);
  logins.check();
  t.match(v.list[0], { invariant: 'login-budget', detail: /3 logins within an hour, budget 2/ });

  const w = violations();
  const blocked = new LoginInvariant(dir, { perHour: 100, perDay: 100 }, w);
  write([10_000], { at: 10_000, reason: 'rejected' });
  blocked.check();
  write([10_000, 20_000], { at: 10_000, reason: 'rejected' });
  blocked.check();
  t.match(w.list[0], { invariant: 'rejected-password-retried' });
  blocked.clearedAt(30_000);
  write([10_000, 20_000, 40_000], { at: 10_000, reason: 'rejected' });
  blocked.check();
  write([10_000, 20_000, 40_000], null);
  blocked.check();
  t.equal(w.list.length, 1, 'after the soak cleared it, a block still in the file is not reopened and later logins are fine');
});

t.test('notifications: a digest item counts for the held alert; a duplicate only across a daemon start', async (t) => {
  const { NotificationInvariant } = await import('../../soak/invariants/notification-invariant.js');
  const { WebhookReceiver } = await import('../../soak/webhook-receiver.js');
  const { RUNNING_RULE } = await import('../../soak/soak-config.js');
  const receiver = new WebhookReceiver('secret');
  const receipt = (key: string, kind: string, rule: string | null, arrivals: number[], itemRules: Array<string | null> = []) =>
    receiver.receipts.set(key, { key, kind, rule, arrivals, itemRules });
  receipt('a', 'alert', RUNNING_RULE, [1_000]);
  receipt('b', 'digest', null, [2_000], [RUNNING_RULE, RUNNING_RULE, 'unclean-start']);
  const v = violations();
  const starts: number[] = [];
  const n = new NotificationInvariant({} as never, receiver, v, () => starts);
  t.same(n.checkAccounting(3), { expected: 3, received: 3 });
  t.equal(v.list.length, 0);
  n.checkAccounting(4);
  t.match(v.list[0], { invariant: 'notification-lost' });
  receipt('c', 'alert', 'unclean-start', [5_000, 9_000]);
  starts.push(7_000);
  n.checkDuplicates();
  t.equal(v.list.length, 1, 'again after the daemon started anew: documented at-least-once');
  receipt('d', 'alert', 'unclean-start', [10_000, 12_000]);
  n.checkDuplicates();
  t.match(v.list[1], { invariant: 'notification-duplicated', detail: /notification d .* no daemon restart/ });
});

t.test('secrets are found across read boundaries, and not where they are allowed', async (t) => {
  const { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { SecretInvariant } = await import('../../soak/invariants/secret-invariant.js');
  const dir = mkdtempSync(join(tmpdir(), 'ibgw-soak-parts-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'logs'));
  mkdirSync(join(dir, 'gateway-logs'));
  const v = violations();
  const secrets = new SecretInvariant(v, [join(dir, 'logs'), join(dir, 'gateway-logs')], [join(dir, 'state.json')]);
  secrets.add({ name: 'the password', value: 'hunter2-hunter2' });
  secrets.add({ name: 'the keystore password', value: 'keystore-secret', allowedIn: (p) => p.includes('gateway-logs') });
  secrets.add({ name: 'too short', value: 'abc' });
  writeFileSync(join(dir, 'logs', 'out.log'), 'line one hunter2-hun');
  writeFileSync(join(dir, 'gateway-logs', 'gw.log'), 'sslPwd: keystore-secret\n');
  writeFileSync(join(dir, 'state.json'), '{"events":[]}');
  secrets.check();
  t.equal(v.list.length, 0, 'half a secret is no secret; the keystore password is allowed in the gateway log');
  appendFileSync(join(dir, 'logs', 'out.log'), 'ter2 and abc\n');
  secrets.check();
  t.match(v.list, [{ invariant: 'secret-in-log', detail: /the password appears in .*out\.log/ }], 'split across two reads, still found');
  writeFileSync(join(dir, 'state.json'), '{"x":"keystore-secret"}');
  secrets.check();
  t.match(v.list[1], { detail: /the keystore password appears in .*state\.json/ });
});

t.test('a file holding a secret must be its owner\'s alone (0600), wherever it is', async (t) => {
  const { chmodSync, mkdirSync, symlinkSync, writeFileSync } = await import('node:fs');
  const { SecretInvariant } = await import('../../soak/invariants/secret-invariant.js');
  const dir = tempDir(t, 'ibgw-soak-modes-');
  mkdirSync(join(dir, 'ibgateway', 'ibc-versions'), { recursive: true });
  const v = violations();
  const secrets = new SecretInvariant(v, [], []);
  secrets.add({ name: 'the password', value: 'hunter2-hunter2' });
  writeFileSync(join(dir, 'vault.json'), '{"c":"hunter2-hunter2"}', { mode: 0o600 });
  writeFileSync(join(dir, 'ibgateway', 'ibc-versions', '3.ini'), 'IbPassword=hunter2-hunter2\n', { mode: 0o600 });
  writeFileSync(join(dir, 'state.json'), '{}', { mode: 0o644 });
  symlinkSync('/etc/passwd', join(dir, 'link'));
  t.equal(secrets.checkFileModes(dir), 2, 'two files hold it');
  t.same(v.list, [], 'both 0600; a world-readable file without a secret is no finding');
  chmodSync(join(dir, 'ibgateway', 'ibc-versions', '3.ini'), 0o640);
  secrets.checkFileModes(dir);
  t.match(v.list, [{ invariant: 'secret-file-mode', detail: /3\.ini holds the password with mode 640/ }]);
});

t.test('a state file that does not parse is a violation', async (t) => {
  const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { StateFileInvariant } = await import('../../soak/invariants/state-file-invariant.js');
  const dir = mkdtempSync(join(tmpdir(), 'ibgw-soak-parts-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'run'));
  writeFileSync(join(dir, 'state.json'), '{"ok":true}');
  writeFileSync(join(dir, 'run', 'gateway.json'), '{"pid": 12');
  writeFileSync(join(dir, 'state.json.123.tmp'), '{half');
  const v = violations();
  new StateFileInvariant(dir, v).check();
  t.equal(v.list.length, 1, 'the temp file of an atomic write is not state');
  t.match(v.list[0], { invariant: 'state-file-unparsable', detail: /run\/gateway\.json does not parse/ });
});
