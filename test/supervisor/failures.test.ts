import { chmodSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { fixture, harness } from '../helpers/supervisor-harness.js';
import { cmdline, descendantPids, groupPids, isAlive } from '../helpers/process-table.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../../testkit/wait-for.js';

const backoff = { initialMs: 50, maxMs: 1000, factor: 2, jitter: 0 };

t.test('crash at start → backoff with growing delays → fatal past the window; start() clears it', async (t) => {
  const h = await harness(t, () => [fixture('crash.sh')], {
    restart: { backoff, stableAfterMs: 60000, maxRestarts: 3, windowMs: 60000 },
  });
  const first = await h.sup.start();
  t.equal(first.state, 'backoff', 'start() resolves with the first outcome');
  const fatal = await h.waitState('fatal', 5000);
  const moves = h.transitions.map((e) => e.to);
  t.same(moves, ['starting', 'backoff', 'starting', 'backoff', 'starting', 'backoff', 'starting', 'fatal']);
  const backoffs = h.transitions.filter((e) => e.to === 'backoff');
  t.same(backoffs.map((e) => e.delayMs), [50, 100, 200], 'exponential delays');
  t.same(backoffs.map((e) => e.code), ['IBGW_GATEWAY_EXITED', 'IBGW_GATEWAY_EXITED', 'IBGW_GATEWAY_EXITED']);
  t.ok(backoffs.every((e) => e.exitCode === 1 && e.pid !== null), 'each backoff names the pid and exit code');
  // The time from each backoff to the next start is at least its delay (ms timestamps, timers may round by 1 ms).
  for (const b of backoffs) {
    const next = h.transitions[h.transitions.indexOf(b) + 1]!;
    t.ok(Date.parse(next.at) - Date.parse(b.at) >= b.delayMs! - 2, `waited ${Date.parse(next.at) - Date.parse(b.at)} ms for a ${b.delayMs} ms backoff`);
  }
  t.equal(fatal.code, 'IBGW_GATEWAY_FATAL');
  t.equal(fatal.details?.cause, 'IBGW_GATEWAY_EXITED');
  const status = h.sup.status();
  t.equal(status.lastExit?.code, 1);
  t.equal(status.restartsSinceStart, 3);
  t.ok(h.sup.logs().some((l) => l.stream === 'stderr' && l.text.includes('Failed to load configuration file')), 'stderr captured');

  t.equal((await h.sup.stop()).state, 'fatal', 'stop() does not clear fatal');
  const again = await h.sup.start('operator retry');
  t.equal(again.state, 'backoff', 'an operator start clears fatal and tries again');
  await h.sup.stop();
});

t.test('launch command not found → fatal at once, no retries', async (t) => {
  const dir = tempDir(t);
  const notExecutable = join(dir, 'gateway.sh');
  writeFileSync(notExecutable, '#!/bin/sh\nexit 0\n');
  chmodSync(notExecutable, 0o644);
  for (const command of [['/nonexistent/bin/run.sh', 'root/conf.yaml'], ['ibgw-no-such-command-on-path'], [notExecutable], ['./bin/run.sh']]) {
    const h = await harness(t, () => command);
    const status = await h.sup.start();
    t.equal(status.state, 'fatal', `${command[0]}: fatal`);
    t.same(h.transitions.map((e) => e.to), ['starting', 'fatal'], 'no restart storm');
    t.equal(h.transitions[1]!.code, 'IBGW_LAUNCH_NOT_FOUND');
  }
});

t.test('never listens → killed (whole group) at the start timeout, counted as a failed start', async (t) => {
  const h = await harness(t, (port) => [fixture('never-listens.sh'), String(port)], {
    startTimeoutMs: 800,
    restart: { backoff, stableAfterMs: 60000, maxRestarts: 1, windowMs: 60000 },
  });
  const starting = h.sup.start();
  await waitFor(() => h.sup.status().pid !== null && groupPids(h.sup.status().pid!).length >= 3, 2000, 'launcher, sleep, watcher');
  const members = groupPids(h.sup.status().pid!);
  const began = Date.now();
  const first = await starting;
  t.ok(Date.now() - began >= 700, 'waited the start timeout');
  t.equal(first.state, 'backoff');
  const timedOut = h.transitions.find((e) => e.to === 'backoff')!;
  t.equal(timedOut.code, 'IBGW_START_TIMEOUT');
  t.equal(timedOut.signal, 'SIGTERM', 'killed by the supervisor');
  for (const p of members) t.notOk(isAlive(p), `pid ${p} is gone`);
  const fatal = await h.waitState('fatal', 4000);
  t.equal(fatal.details?.cause, 'IBGW_START_TIMEOUT', 'the second timeout exceeds maxRestarts 1');
});

t.test('busy port → ERR_PORT_BUSY naming the holder, then a normal start; backoff resets after stable uptime', async (t) => {
  const h = await harness(t, (port) => [fixture('run-like.sh'), String(port)], {
    restart: { backoff: { ...backoff, initialMs: 300 }, stableAfterMs: 200, maxRestarts: 5, windowMs: 60000 },
  });
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(h.port, '127.0.0.1', resolve));
  t.teardown(() => holder.close());
  const status = await h.sup.start();
  t.equal(status.state, 'backoff', 'a failed start, not fatal');
  const busy = h.transitions.find((e) => e.to === 'backoff')!;
  t.equal(busy.code, 'IBGW_PORT_BUSY');
  t.equal(busy.details?.holderPid, process.pid, 'the holder pid is named');
  t.match(busy.details?.holderCommand, /node/, 'and its command');
  t.match(status.reason, String(process.pid));
  await new Promise((resolve) => holder.close(resolve));
  const running = await h.waitState('running', 5000);
  t.ok(running.pid, 'started on the automatic retry');
  t.equal(busy.delayMs, 300, 'first failure: initial delay');

  await waitFor(() => Date.now() - Date.parse(running.at) > 250, 1000, 'stable uptime');
  process.kill(running.pid!, 'SIGKILL');
  const crash = await h.waitTransition((e) => e.to === 'backoff' && e.pid === running.pid, 3000, 'crash backoff');
  t.equal(crash.delayMs, 300, 'after stableAfterMs of uptime the backoff starts over (not 600)');
  await h.sup.stop();
});

t.test('stop during backoff cancels the pending restart', async (t) => {
  const h = await harness(t, () => [fixture('crash.sh')], {
    restart: { backoff: { ...backoff, initialMs: 300 }, stableAfterMs: 60000, maxRestarts: 5, windowMs: 60000 },
  });
  t.equal((await h.sup.start()).state, 'backoff');
  t.equal((await h.sup.stop()).state, 'stopped');
  const count = h.transitions.length;
  await sleep(600); // twice the backoff: a restart that was not cancelled would have happened
  t.equal(h.sup.status().state, 'stopped', 'stays stopped');
  t.equal(h.transitions.length, count, 'no transition after the stop');
});

t.test('stop during starting kills the start, no backoff', async (t) => {
  const h = await harness(t, (port) => [fixture('never-listens.sh'), String(port)], { startTimeoutMs: 10000 });
  const starting = h.sup.start();
  await waitFor(() => h.sup.status().pid !== null && groupPids(h.sup.status().pid!).length >= 3, 2000, 'group up');
  const members = groupPids(h.sup.status().pid!);
  const began = Date.now();
  const stopped = await h.sup.stop();
  t.ok(Date.now() - began < 2000, 'did not wait for the start timeout');
  t.equal(stopped.state, 'stopped');
  t.equal((await starting).state, 'stopped');
  t.same(h.transitions.map((e) => e.to), ['starting', 'stopping', 'stopped']);
  for (const p of members) t.notOk(isAlive(p), `pid ${p} is gone`);
});

t.test('a crash while running is cleaned up (JVM left by the launcher) and restarted', async (t) => {
  const h = await harness(t, (port) => [fixture('run-like.sh'), String(port)], {
    restart: { backoff, stableAfterMs: 60000, maxRestarts: 5, windowMs: 60000 },
  });
  const { pid } = await h.sup.start();
  await waitFor(() => groupPids(pid!).length >= 3, 2000, 'group up');
  const members = groupPids(pid!);
  process.kill(pid!, 'SIGKILL'); // the launcher dies; its server child would live on, holding the port
  const crashed = await h.waitState('backoff');
  t.equal(crashed.signal, 'SIGKILL');
  t.equal(crashed.code, 'IBGW_GATEWAY_EXITED');
  for (const p of members) t.notOk(isAlive(p), `pid ${p} is gone before the restart`);
  const again = await h.waitTransition((e) => e.to === 'running' && e.pid !== pid, 5000, 'running again');
  t.not(again.pid, pid);
  await h.sup.stop();
});

t.test('a crash leaving a setsid escapee behind: the escapee is gone before the restart', async (t) => {
  const h = await harness(t, (port) => [fixture('setsid-escape.sh'), String(port)], {
    restart: { backoff, stableAfterMs: 60000, maxRestarts: 5, windowMs: 60000 },
  });
  const { pid } = await h.sup.start();
  const escapee = await waitFor(() => descendantPids(pid!).find((p) => cmdline(p).includes('server.mjs')), 2000, 'the escapee');
  t.teardown(() => {
    if (isAlive(escapee)) process.kill(escapee, 'SIGKILL');
  });
  const members = groupPids(pid!);
  process.kill(pid!, 'SIGKILL'); // the launcher dies; its escaped server (own session) would live on
  await h.waitState('backoff');
  t.notOk(isAlive(escapee), 'the escapee (found by the run marker) is gone before the restart');
  for (const p of members) t.notOk(isAlive(p), `group member ${p} is gone`);
  const again = await h.waitTransition((e) => e.to === 'running' && e.pid !== pid, 5000, 'running again: the port was free');
  t.not(again.pid, pid);
  await h.sup.stop();
});

