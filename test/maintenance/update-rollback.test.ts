/**
 * update windows with fixture clientportal distributions, launched the real way (java with the
 * managed conf folder first on the classpath, cwd = the version's folder): a good version
 * passes the gate; one that never becomes ready is rolled back to what ran before (and is
 * never picked again); when the version rolled back to fails too, the gateway goes fatal
 * with both reasons.
 */
import { readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { distributionZip, fakeJavaEnv } from '../helpers/distributions.js';
import { gatewayStack } from '../helpers/maintenance-stack.js';
import { groupPids } from '../helpers/process-table.js';

const MIN = 60_000;
const A = '20250101000000';
const B = '20250201000000';
const C = '20250301000000';

/** The working directories of the gateway group's processes: which version folder runs. */
function cwdsOf(pgid: number | null): string[] {
  if (!pgid) return [];
  return groupPids(pgid).flatMap((pid) => {
    try {
      return [readlinkSync(`/proc/${pid}/cwd`)];
    } catch {
      return [];
    }
  });
}

t.test('update to a good version, to one that never becomes ready (rolled back), and a rollback that fails too', async (t) => {
  const breakFile = join((await import('node:os')).tmpdir(), `ibgw-break-${process.pid}-${Date.now()}`);
  t.teardown(() => (import('node:fs')).then((fs) => fs.rmSync(breakFile, { force: true })));
  const env = fakeJavaEnv(t, { BREAK_FILE: breakFile });
  const s = await gatewayStack(t, {
    config: { gateway: { kind: 'clientportal', home: null, env }, session: { enabled: false } },
    startTimeoutMs: 60_000,
    // The scheduling clock starts five minutes past an hour: an hourly window is ahead, not on.
    maintenance: { start: '2030-01-07T00:05:00Z', config: { healthGate: { timeoutMs: 12_000, stableMs: 500, pollMs: 50 } } },
    before: async ({ versions, dataDir }) => {
      await versions!.install(distributionZip(join(dataDir, 'a.zip'), A, 'sim'));
      await versions!.use(A, 'initial');
    },
  });
  const versions = s.versions!;
  const home = (id: string) => join(s.dataDir, 'versions', id);
  await s.supervisor.start('test');
  t.equal(s.supervisor.status().state, 'running', 'version A runs');
  t.ok(cwdsOf(s.supervisor.status().pid).includes(home(A)), 'launched from the A folder');

  // A good update.
  await versions.install(distributionZip(join(s.dataDir, 'b.zip'), B, 'breakable'));
  t.equal(versions.staged()?.id, B);
  s.m.service.addWindow({ title: 'update', action: 'update', cron: '0 * * * *', timeZone: 'UTC', durationMinutes: 30 }, 'admin');
  const firstStart = s.m.service.next()!.start;
  const plan = await s.m.service.plan();
  t.match(plan, { window: { action: 'update' }, version: { from: A, to: B, build: B } });
  t.match(plan.rollbackTo, [/^conf\.yaml/, /^certificate/, `gateway version ${A}`]);
  await s.m.advanceTo(firstStart);
  t.match(s.m.of('maintenance.applied'), [{ data: { gate: 'passed' } }]);
  t.equal(versions.activeId(), B);
  t.equal(s.supervisor.status().state, 'running');
  t.ok(cwdsOf(s.supervisor.status().pid).includes(home(B)), 'now launched from the B folder');

  // An update that never becomes ready: rolled back to B.
  await versions.install(distributionZip(join(s.dataDir, 'c.zip'), C, 'never-ready'));
  await s.m.advanceTo(Date.parse(firstStart) + 60 * MIN);
  const rolled = s.m.of('maintenance.rolled-back');
  t.equal(rolled.length, 1);
  t.match(rolled[0], { data: { reason: /gateway not ready within 12000 ms \(starting/, restored: [/^conf/, /^certificate/, `gateway version ${B}`] } });
  t.equal(versions.activeId(), B, 'back on B');
  t.match(versions.get(C), { failed: { reason: /not ready/ } });
  t.equal(versions.staged(), null, 'the failed version is not picked again');
  t.equal(s.supervisor.status().state, 'running');
  t.ok(cwdsOf(s.supervisor.status().pid).includes(home(B)));

  // The next update fails, and so does the rollback to B (its JVM no longer listens).
  const D = '20250401000000';
  await versions.install(distributionZip(join(s.dataDir, 'd.zip'), D, 'never-ready'));
  writeFileSync(breakFile, 'x');
  await s.m.advanceTo(Date.parse(firstStart) + 120 * MIN);
  const failed = s.m.of('maintenance.rollback-failed');
  t.equal(failed.length, 1);
  t.match(failed[0], { level: 'error', data: { reason: /not ready within/, rollbackReason: /not ready within/ } });
  const status = s.supervisor.status();
  t.equal(status.state, 'fatal', 'the gateway goes fatal');
  t.match(status.reason, /update.*failed: gateway not ready.*the rollback failed too: gateway not ready/);
  t.equal(cwdsOf(status.pid).length, 0, 'nothing of it left running');
  t.equal(versions.activeId(), B, 'the version rolled back to stays selected');
  t.ok(s.m.of('maintenance.start').length >= 3);
});
