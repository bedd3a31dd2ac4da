import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import t from 'tap';
import { Supervisor, probePort, readRunRecord, reconcileRun, runRecordPath, writeRunRecord, type RunRecord } from '../../daemon/supervisor/index.js';
import { freePort } from '../../testkit/ports.js';
import { cmdline, groupPids, isAlive, startTime, killQuietly } from '../helpers/process-table.js';
import { baseOptions, fixture, FIXTURE_ENV } from '../helpers/supervisor-harness.js';
import { waitFor } from '../../testkit/wait-for.js';
import { tempDir } from '../helpers/temp-dir.js';

const bootId = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

type Tap = { teardown(fn: () => unknown): void };

/** A gateway group as a dead daemon would have left it: launcher + server, marker in the env. */
async function leftover(t: Tap, marker: string): Promise<{ child: ChildProcess; pid: number; port: number }> {
  const port = await freePort();
  const child = spawn(fixture('run-like.sh'), [String(port)], {
    detached: true, stdio: 'ignore', env: { ...process.env, ...FIXTURE_ENV, IBGW_RUN_MARKER: marker },
  });
  const pid = child.pid!;
  t.teardown(() => killQuietly({ groups: [pid] }));
  await waitFor(() => probePort('127.0.0.1', port, 200), 5000, 'leftover listening');
  return { child, pid, port };
}

/** An unrelated process in a group of its own: it must survive every forged record. */
function stranger(t: Tap): number {
  const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
  t.teardown(() => killQuietly({ groups: [child.pid!] }));
  return child.pid!;
}

function record(pid: number, marker: string, over: Partial<RunRecord> = {}): RunRecord {
  return {
    version: 1, pid, pgid: pid, startTime: startTime(pid)!, bootId: bootId(), marker, command: ['x'],
    startedAt: new Date().toISOString(), daemonPid: 1, ...over,
  };
}

t.test('a real leftover group is killed, launcher and grandchild', async (t) => {
  const dataDir = tempDir(t);
  const marker = randomUUID();
  const { pid } = await leftover(t, marker);
  await waitFor(() => groupPids(pid).length >= 2, 2000, 'server started');
  const members = groupPids(pid).map((p) => [p, cmdline(p)] as const);
  await writeRunRecord(dataDir, record(pid, marker));
  const sup = new Supervisor({ ...baseOptions(dataDir), launch: async () => { throw new Error('unused'); } });
  t.teardown(() => sup.close());
  const report = await sup.reconcile();
  t.equal(report.record, 'found');
  t.same(report.killedGroups, [pid]);
  for (const [p, cmd] of members) t.notOk(isAlive(p), `pid ${p} (${cmd}) is gone`);
  t.notOk(existsSync(runRecordPath(dataDir)), 'record removed');
});

t.test('leader already dead: survivors are found by the marker and killed', async (t) => {
  const dataDir = tempDir(t);
  const marker = randomUUID();
  const { pid } = await leftover(t, marker);
  await waitFor(() => groupPids(pid).length >= 2, 2000, 'server started');
  const server = groupPids(pid).find((p) => p !== pid)!;
  const rec = record(pid, marker);
  process.kill(pid, 'SIGKILL'); // the launcher is gone, its server lives on (like run.sh's JVM)
  await waitFor(() => !isAlive(pid), 2000, 'launcher dead');
  t.ok(isAlive(server), 'server survived its launcher');
  await writeRunRecord(dataDir, rec);
  const report = await reconcileRun({ dataDir, graceMs: 300 });
  t.ok(report.killedPids.includes(server), 'the orphaned server was killed');
  t.notOk(isAlive(server));
});

t.test('strangers are spared: wrong marker, wrong start time, other boot', async (t) => {
  const dataDir = tempDir(t);
  const victim = stranger(t);
  await waitFor(() => startTime(victim) !== null, 2000, 'stranger started');
  const cases: Array<[string, RunRecord, string]> = [
    ['same pid and start time, no marker', record(victim, randomUUID()), 'found'],
    ['pid reused (start time differs)', record(victim, randomUUID(), { startTime: startTime(victim)! - 1 }), 'found'],
    ['record from another boot', record(victim, randomUUID(), { bootId: randomUUID() }), 'stale'],
  ];
  for (const [name, rec, kind] of cases) {
    await writeRunRecord(dataDir, rec);
    const report = await reconcileRun({ dataDir, graceMs: 300 });
    t.equal(report.record, kind, `${name}: ${kind}`);
    t.same(report.killedPids, [], `${name}: nothing killed`);
    t.equal(report.spared[0]?.pid, victim, `${name}: spared (${report.spared[0]?.why})`);
    t.ok(isAlive(victim), `${name}: the stranger lives`);
    t.equal(await readRunRecord(dataDir), null, 'record consumed');
  }
});

t.test('a damaged record is reported and never acted on', async (t) => {
  const dataDir = tempDir(t);
  mkdirSync(dirname(runRecordPath(dataDir)), { recursive: true });
  writeFileSync(runRecordPath(dataDir), '{"version":1,"pid":');
  const report = await reconcileRun({ dataDir, graceMs: 300 });
  t.equal(report.record, 'invalid');
  t.same(report.killedPids, []);
});

t.test('the run record of a live gateway pins pid, start time, boot id and marker', async (t) => {
  const dataDir = tempDir(t);
  const port = await freePort();
  const sup = new Supervisor({
    ...baseOptions(dataDir),
    launch: async () => ({ command: [fixture('run-like.sh'), String(port)], cwd: dirname(fixture('x')), env: FIXTURE_ENV, host: '127.0.0.1', port }),
  });
  t.teardown(() => sup.close());
  const { pid } = await sup.start();
  const rec = await readRunRecord(dataDir);
  if (rec === null || rec === 'invalid') throw new Error('no record');
  t.equal(rec.pid, pid);
  t.equal(rec.pgid, pid);
  t.equal(rec.startTime, startTime(pid!));
  t.equal(rec.bootId, bootId());
  t.match(readFileSync(`/proc/${pid}/environ`, 'utf8'), `IBGW_RUN_MARKER=${rec.marker}`, 'marker in the gateway env');
  await sup.stop();
  t.equal(await readRunRecord(dataDir), null, 'removed after a clean stop');
});
