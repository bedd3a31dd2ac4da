import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { packageRoot } from '../../daemon/package-root.js';
import { Standby } from '../../daemon/supervisor/standby.js';
import { harness } from '../helpers/supervisor-harness.js';
import { cmdline, isAlive, killQuietly, stat } from '../helpers/process-table.js';
import { waitFor } from '../../testkit/wait-for.js';

/** Parked forks (standby.ts) that are children of this process — the supervisor runs in it. */
function parked(): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).filter((pid) => {
    const s = stat(pid);
    return s !== null && s.ppid === process.pid && s.state !== 'Z' && cmdline(pid).endsWith('lifeline.sh --standby');
  });
}

const environ = (pid: number): Record<string, string> =>
  Object.fromEntries(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

const onePark = async () => waitFor(() => (parked().length === 1 ? parked()[0] : undefined), 3000, 'a parked standby');

// A gateway whose argv and environment carry what a shell would expand, split or unquote, and
// that exits 42 on SIGUSR2: what it prints and how it ends show whether they arrived verbatim.
const TAG = `$HOME "two  words" 'q' \\back \`id\` ;*`;
// One line: a value with a newline cannot travel to the parked shell, and starts as usual.
const SERVER = "const [port, tag] = process.argv.slice(1); require('node:net').createServer((s) => s.end()).listen(Number(port), '127.0.0.1', () => console.log('tag=' + tag + ' env=' + process.env.STANDBY_TEST)); process.on('SIGUSR2', () => process.exit(42));";
const ENV_VALUE = `a=b $PATH "x" \\y`;

const standbyHarness = (t: Parameters<typeof harness>[0]) =>
  harness(t, (port) => [process.execPath, '-e', SERVER, String(port), TAG], {}, { STANDBY_TEST: ENV_VALUE });

t.test('a running gateway has the fork for its successor parked: its own group, no marker, no command, / as its directory', async (t) => {
  const h = await standbyHarness(t);
  const status = await h.sup.start();
  const standby = await onePark();
  t.not(standby, status.pid, 'not the gateway');
  t.equal(stat(standby)?.pgid, standby, 'leads a group of its own (setsid at the fork)');
  t.notOk('IBGW_RUN_MARKER' in environ(standby), 'carries no run marker: nothing takes it for a gateway');
  t.equal(readlinkSync(`/proc/${standby}/cwd`), '/', "works in /, not in the gateway's directory");
  t.match(cmdline(standby), /^\/bin\/sh \S+lifeline\.sh --standby$/, 'no command in its argv');
});

t.test('a crash restarts in the parked fork: argv and environment verbatim, the exit exact, a new fork parked', async (t) => {
  const h = await standbyHarness(t);
  const first = await h.sup.start();
  const standby = await onePark();
  process.kill(first.pid!, 'SIGUSR2');
  const backoff = await h.waitTransition((e) => e.to === 'backoff', 5000, 'the crash');
  t.equal(backoff.exitCode, 42, "the gateway's own exit code");
  await h.waitTransition((e) => e.to === 'running' && e.pid !== first.pid, 5000, 'the restart');
  const second = h.sup.status();
  t.equal(second.pid, standby, 'the new gateway is the parked fork, exec\'d');
  t.equal(stat(standby)?.pgid, standby, 'still the leader of its group');
  const env = environ(standby);
  const record = JSON.parse(readFileSync(join(h.dataDir, 'run', 'gateway.json'), 'utf8')) as { marker: string; pid: number };
  t.equal(record.pid, standby, 'the run record names it');
  t.equal(env.IBGW_RUN_MARKER, record.marker, 'with the run marker of its record');
  t.equal(env.STANDBY_TEST, ENV_VALUE, 'the launch environment verbatim');
  t.equal(readlinkSync(`/proc/${standby}/cwd`), join(packageRoot, 'test', 'fixtures'), "in the launch's directory");
  await waitFor(() => h.sup.logs().some((l) => l.text.includes('tag=')), 3000, 'the banner');
  t.equal(h.sup.logs().find((l) => l.text.includes('tag='))!.text, `tag=${TAG} env=${ENV_VALUE}`, 'argv verbatim, output captured');
  const next = await onePark();
  t.not(next, standby, 'a new fork is parked for the next start');

  // The same exactness for a signal, from a standby-born run.
  process.kill(second.pid!, 'SIGKILL');
  const killed = await h.waitTransition((e) => e.to === 'backoff' && e.pid === standby, 5000, 'the second crash');
  t.equal(killed.signal, 'SIGKILL');
  await h.waitTransition((e) => e.to === 'running' && e.pid === next, 5000, 'the restart in the next fork');
});

t.test('a standby that died, or a daemon environment that changed, and the start forks as usual', async (t) => {
  const h = await standbyHarness(t);
  await h.sup.start();
  const dead = await onePark();
  process.kill(dead, 'SIGKILL');
  await waitFor(() => !isAlive(dead), 2000, 'the standby gone');
  const restarted = await h.sup.restart('test');
  t.equal(restarted.state, 'running');
  t.not(restarted.pid, dead);

  const unfit = await onePark();
  process.env.IBGW_STANDBY_TEST_CHANGE = '1';
  t.teardown(() => { delete process.env.IBGW_STANDBY_TEST_CHANGE; });
  const again = await h.sup.restart('test');
  t.not(again.pid, unfit, 'not started in a fork of the old environment');
  t.equal(environ(again.pid!).IBGW_STANDBY_TEST_CHANGE, '1', 'the gateway has the environment of now');
  await waitFor(() => !isAlive(unfit), 2000, 'the unfit standby ended');
});

t.test('stop, close, and restart.standby turned off leave nothing parked; off means the usual fork', async (t) => {
  const h = await standbyHarness(t);
  await h.sup.start();
  const a = await onePark();
  await h.sup.stop('test');
  t.notOk(isAlive(a), 'a stop ends the parked fork');
  t.same(parked(), []);

  await h.sup.start();
  const b = await onePark();
  const options = { startTimeoutMs: 2000, stopGraceMs: 300, readyProbeIntervalMs: 25, resources: { sampleIntervalMs: 200, memoryLimitMb: null } };
  h.sup.reconfigure({ ...options, restart: { backoff: { initialMs: 50, maxMs: 400, factor: 2, jitter: 0 }, stableAfterMs: 60000, maxRestarts: 3, windowMs: 60000, standby: false } });
  await waitFor(() => !isAlive(b), 2000, 'the standby ended when turned off');
  const restarted = await h.sup.restart('test');
  t.not(restarted.pid, b);
  t.same(parked(), [], 'none parked while off');

  h.sup.reconfigure({ ...options, restart: { backoff: { initialMs: 50, maxMs: 400, factor: 2, jitter: 0 }, stableAfterMs: 60000, maxRestarts: 3, windowMs: 60000, standby: true } });
  await h.sup.restart('test');
  const c = await onePark();
  await h.sup.close();
  t.notOk(isAlive(c), 'close ends the parked fork');
});

t.test('the daemon killed -9: the parked fork ends by itself (EOF on its stdin)', async (t) => {
  const standbyJs = join(packageRoot, 'dist', 'daemon', 'supervisor', 'standby.js');
  const host = spawn(process.execPath, ['--input-type=module', '-e', `const { Standby } = await import(${JSON.stringify(standbyJs)}); const s = await Standby.spawn(); console.log(s.pid); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } });
  t.teardown(() => killQuietly({ pids: [host.pid!] }));
  const [line] = (await once(createInterface({ input: host.stdout! }), 'line')) as [string];
  const standby = Number(line);
  t.ok(isAlive(standby), 'parked');
  t.teardown(() => killQuietly({ groups: [standby] }));
  host.kill('SIGKILL');
  await waitFor(() => !isAlive(standby), 2000, 'the standby gone after its daemon');
  t.pass('gone');
});

t.test('a launch with a value a line cannot carry (a newline) starts as usual', async (t) => {
  const multiLine = "const port = Number(process.argv[1]);\nrequire('node:net').createServer((s) => s.end()).listen(port, '127.0.0.1');";
  const h = await harness(t, (port) => [process.execPath, '-e', multiLine, String(port)]);
  await h.sup.start();
  const unfit = await onePark();
  const restarted = await h.sup.restart('test');
  t.equal(restarted.state, 'running');
  t.not(restarted.pid, unfit, 'forked anew');
  await waitFor(() => !isAlive(unfit), 2000, 'the unused standby ended');
});

t.test('a standby killed a moment ago is not taken for alive before node has reaped it', async (t) => {
  const standby = await Standby.spawn();
  t.teardown(() => standby.discard());
  t.ok(standby.alive, 'parked');
  process.kill(standby.pid, 'SIGKILL');
  // No turn of the event loop from here on: node cannot reap it, so the kernel shows a zombie
  // while the child's exit is still unknown to node (the state CI once met in a restart).
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 2000 && stat(standby.pid)?.state !== 'Z'; i++) Atomics.wait(pause, 0, 0, 1);
  t.equal(stat(standby.pid)?.state, 'Z', 'a zombie, not yet reaped');
  t.notOk(standby.alive, 'not alive');
  t.notOk(standby.fits({ command: ['/bin/true'], cwd: '/', env: {} }), 'so a start forks anew');
});
