import t from 'tap';
import { readFileSync } from 'node:fs';
import { baseOptions, fixture, harness } from '../helpers/supervisor-harness.js';
import { cmdline, descendantPids, groupPids, isAlive, stat } from '../helpers/process-table.js';
import { waitFor } from '../../testkit/wait-for.js';
import type { ResourceSample } from '../../daemon/supervisor/index.js';
import type { ServiceEvent } from '../../daemon/events.js';

const label = (p: number, names: Record<string, number | undefined>) => Object.entries(names).find(([, v]) => v === p)?.[0] ?? 'member';

t.test('start: own group with launcher, grandchild and watcher; samples cover the group; stop empties it', async (t) => {
  const events: ServiceEvent[] = [];
  const h = await harness(t, (port) => [fixture('run-like.sh'), String(port)], { onEvent: (e) => events.push(e) });
  const samples: ResourceSample[] = [];
  h.sup.on('sample', (s) => samples.push(s));
  const status = await h.sup.start();
  t.equal(status.state, 'running');
  const pid = status.pid!;
  t.equal(stat(pid)?.pgid, pid, 'the gateway leads its own process group');
  t.not(stat(pid)?.pgid, stat(process.pid)?.pgid, "not the daemon's group");
  await waitFor(() => groupPids(pid).length >= 3, 2000, 'launcher, watcher and server in the group');
  const members = groupPids(pid);
  const server = members.find((p) => cmdline(p).includes('server.mjs'));
  const watcher = members.find((p) => p !== pid && cmdline(p).includes('lifeline.sh'));
  t.ok(server, 'the grandchild server is in the group');
  t.ok(watcher, 'the lifeline watcher is in the group');
  t.ok(status.readyAt && status.startedAt, 'startedAt and readyAt are set');

  await waitFor(() => samples.length > 0, 3000, 'a resource sample');
  t.ok(samples[0]!.pids.includes(server!), 'the sample includes the grandchild, not only the launcher');
  t.ok(samples[0]!.pids.includes(pid), 'and the launcher');
  t.ok(samples[0]!.memory > 10 * 1024 * 1024, 'memory is the group RSS (node server included)');
  t.equal(h.sup.status().memory, samples[samples.length - 1]!.memory, 'status() reports the last sample');

  const stopped = await h.sup.stop('test');
  t.equal(stopped.state, 'stopped');
  t.equal(stopped.pid, null);
  for (const p of members) t.notOk(isAlive(p), `pid ${p} (${label(p, { leader: pid, server, watcher })}) is gone`);
  t.equal(stopped.lastExit?.signal, 'SIGTERM', 'the launcher died of the group SIGTERM');
  t.same(h.transitions.map((e) => e.to), ['starting', 'running', 'stopping', 'stopped']);
  t.same(events.filter((e) => e.type === 'gateway.transition').map((e) => e.data?.to), ['starting', 'running', 'stopping', 'stopped'], 'each transition reported through onEvent');
  t.match(h.transitions[3], { from: 'stopping', to: 'stopped', pid, signal: 'SIGTERM', exitCode: null }, 'the stopped transition names the exit');
  t.match(h.sup.logs().map((l) => l.text), [/starting gateway/, /listening on/], 'output captured');
});

t.test('a group that ignores SIGTERM is KILLed after the grace', async (t) => {
  const h = await harness(t, (port) => [fixture('ignore-term.sh'), String(port)], { stopGraceMs: 300 });
  const { pid } = await h.sup.start();
  await waitFor(() => groupPids(pid!).length >= 3, 2000, 'group complete');
  const members = groupPids(pid!);
  const began = Date.now();
  const stopped = await h.sup.stop();
  const took = Date.now() - began;
  t.ok(took >= 300, `stop waited the grace (${took} ms)`);
  t.ok(took < 2300, `and not much longer (${took} ms)`);
  t.equal(stopped.lastExit?.signal, 'SIGKILL');
  for (const p of members) t.notOk(isAlive(p), `pid ${p} is gone`);
});

t.test('a descendant that escaped the group with setsid is killed too (tree-kill)', async (t) => {
  const h = await harness(t, (port) => [fixture('setsid-escape.sh'), String(port)]);
  const { pid, state } = await h.sup.start();
  t.equal(state, 'running', 'ready: the escapee listens');
  const escapee = descendantPids(pid!).find((p) => cmdline(p).includes('server.mjs'));
  t.ok(escapee, 'escapee found');
  t.not(stat(escapee!)?.pgid, pid, 'the escapee is outside the gateway group');
  t.teardown(() => {
    if (escapee && isAlive(escapee)) process.kill(escapee, 'SIGKILL');
  });
  const members = groupPids(pid!);
  await h.sup.stop();
  t.notOk(isAlive(escapee!), 'escapee is gone');
  for (const p of members) t.notOk(isAlive(p), `group member ${p} is gone`);
});

t.test('memory limit over the whole group → planned restart, not counted as a failure', async (t) => {
  // The launcher shell is tiny; only the grandchild's ballast pushes the group over the limit.
  const h = await harness(t, (port) => [fixture('run-like.sh'), String(port), '--alloc-mb', '160'], {
    // Filling 160 MB before listening can outlast the usual 2 s on a loaded machine; with
    // maxRestarts 0 a start timeout would end in fatal before the limit is ever seen.
    startTimeoutMs: 15_000,
    resources: { sampleIntervalMs: 100, memoryLimitMb: 120 },
    restart: { backoff: { initialMs: 50, maxMs: 400, factor: 2, jitter: 0 }, stableAfterMs: 60000, maxRestarts: 0, windowMs: 60000 },
  });
  const first = await h.sup.start();
  const limited = await h.waitTransition((e) => e.code === 'IBGW_MEMORY_LIMIT', 15_000, 'memory limit');
  t.equal(limited.from, 'running');
  t.equal(limited.to, 'stopping');
  t.ok((limited.details?.memory as number) > 120 * 1024 * 1024, 'the sample that tripped it is over the limit');
  const again = await h.waitTransition((e) => e.to === 'running' && e.at >= limited.at, 15_000, 'running again');
  t.not(again.pid, first.pid, 'a new gateway');
  t.notOk(isAlive(first.pid!), 'the old one is gone');
  t.ok(h.sup.status().restartsSinceStart >= 1, 'restarts counted');
  t.notOk(h.transitions.some((e) => e.to === 'backoff' || e.to === 'fatal'), 'maxRestarts 0, yet no fatal: planned restarts are not counted');
  await h.sup.stop();
});

t.test('concurrent calls are serialized', async (t) => {
  const h = await harness(t, (port) => [fixture('run-like.sh'), String(port)]);
  const [a, b] = await Promise.all([h.sup.start(), h.sup.start()]);
  t.equal(a.pid, b.pid, 'two starts, one gateway');
  t.equal(h.transitions.filter((e) => e.to === 'starting').length, 1);

  const [, stopped] = await Promise.all([h.sup.restart('r'), h.sup.stop('s')]);
  t.equal(stopped.state, 'stopped', 'restart then stop: ends stopped');
  const seen = new Set(h.transitions.map((e) => e.pid).filter((p): p is number => p !== null));
  for (const p of seen) t.same(groupPids(p), [], `group ${p} is empty`);

  const starting = h.sup.start();
  const stoppedWhileStarting = await h.sup.stop('during start');
  t.equal(stoppedWhileStarting.state, 'stopped');
  t.equal((await starting).state, 'stopped', 'the pending start() resolves once stopped');

  const [, , last] = await Promise.all([h.sup.stop(), h.sup.start(), h.sup.restart('x')]);
  t.equal(last.state, 'running', 'stop, start, restart: ends running');
  t.equal(groupPids(last.pid!).length >= 2, true);
  await h.sup.close();
  t.same(groupPids(last.pid!), [], 'close() stopped it');
  await t.rejects(h.sup.start(), { code: 'IBGW_INVALID_TRANSITION' }, 'no start after close');
});

t.test('a frozen gateway (SIGSTOP) acts on the stop TERM: SIGCONT follows it', async (t) => {
  // A grace longer than the test's own timeout: only a CONT lets the TERM act in time.
  const h = await harness(t, (port) => [fixture('run-like.sh'), String(port)], { stopGraceMs: 600_000 });
  const { pid } = await h.sup.start();
  await waitFor(() => groupPids(pid!).length >= 3, 2000, 'group complete');
  const members = groupPids(pid!);
  process.kill(-pid!, 'SIGSTOP');
  await waitFor(() => members.every((p) => stat(p)?.state === 'T'), 2000, 'every member stopped');
  const stopped = await h.sup.stop('frozen');
  t.equal(stopped.lastExit?.signal, 'SIGTERM', 'the TERM ended it, no KILL was needed');
  for (const p of members) t.notOk(isAlive(p), `pid ${p} is gone`);
});

t.test('a restart may shorten the grace: a hung gateway is not waited for', async (t) => {
  const h = await harness(t, (port) => [fixture('ignore-term.sh'), String(port)], { stopGraceMs: 600_000 });
  const { pid } = await h.sup.start();
  await waitFor(() => groupPids(pid!).length >= 3, 2000, 'group complete');
  const members = groupPids(pid!);
  const after = await h.sup.restart('hang: probes unanswered', { graceMs: 200 });
  t.equal(after.state, 'running');
  t.not(after.pid, pid);
  t.equal(after.lastExit?.signal, 'SIGKILL', 'killed after the short grace');
  for (const p of members) t.notOk(isAlive(p), `old pid ${p} is gone`);
  const { stopGraceMs: _long, ...rest } = baseOptions(h.dataDir);
  h.sup.reconfigure({ ...rest, stopGraceMs: 300 }); // the teardown's stop need not wait ten minutes
});

t.test("the daemon's own secrets in its environment never reach the gateway", async (t) => {
  const saved = { key: process.env.ENCRYPTION_KEY, token: process.env.IBGW_ADMIN_TOKEN };
  process.env.ENCRYPTION_KEY = 'a'.repeat(64);
  process.env.IBGW_ADMIN_TOKEN = 'daemon-admin-token-value';
  t.teardown(() => {
    if (saved.key === undefined) delete process.env.ENCRYPTION_KEY; else process.env.ENCRYPTION_KEY = saved.key;
    if (saved.token === undefined) delete process.env.IBGW_ADMIN_TOKEN; else process.env.IBGW_ADMIN_TOKEN = saved.token;
  });
  const h = await harness(t, (port) => [fixture('run-like.sh'), String(port)]);
  const { pid } = await h.sup.start();
  const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  t.ok(environ.some((v) => v.startsWith('PATH=')), 'the daemon environment is passed on');
  t.notOk(environ.some((v) => v.startsWith('ENCRYPTION_KEY=') || v.startsWith('IBGW_ADMIN_TOKEN=')), 'but not its secrets');
});
