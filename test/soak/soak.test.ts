/**
 * CI's two minutes of the soak (npm run soak -- --minutes 2): the real daemon under pm2 on the
 * simulator, apps, a fixed seed's faults packed densely, every invariant. Exit 0 means no
 * violation; the report must be well formed. (The 30-minute run and its goals: soak/README.md.)
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { packageRoot } from '../../daemon/package-root.js';
import type { SoakReport } from '../../soak/report.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('two minutes of faults with a fixed seed: no violation, a well-formed report', async (t) => {
  const dir = tempDir(t, 'ibgw-soak-test-');
  const reportFile = join(dir, 'report.json');
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [join(packageRoot, 'dist/soak/run.js'), '--minutes', '2', '--seed', 'ci-418', '--report', reportFile],
      { env: { ...process.env, NODE_OPTIONS: '' }, timeout: 220_000, maxBuffer: 16 * 1024 * 1024 },
      (err, out, errOut) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout: out, stderr: errOut }));
  });
  t.comment(stdout.split('\n').filter((l) => !l.startsWith('soak: step')).join('\n'));
  t.equal(code, 0, `the soak exits 0 (no violation)\n${stderr.slice(-3000)}`);

  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as SoakReport;
  t.match(report, {
    schema: 'ibgw.soak-report/1', seed: 'ci-418', minutes: 2,
    faults: { total: Number, byType: Object },
    recoveries: { count: Number, recovered: Number, withinBound: Number, byType: Object, definitions: Object },
    requests: { total: Number, served: Number, failed: Number, byApp: Object, failures: Object, api: { total: Number, passedOn: Object } },
    logins: { daemon: { attempts: Number, budget: { perHour: Number, perDay: Number } } },
    violations: [],
  });
  // The stand-in operator logs in only on a build without the daemon's own login.
  if (report.build.capabilities.includes('loginDriver')) t.equal(report.logins.operator, null, 'the daemon logged itself in');
  else t.match(report.logins.operator, { logins: Number, failures: Number }, 'the stand-in operator logged in');
  t.ok(report.rssSlopeMbPerHour === null || typeof report.rssSlopeMbPerHour === 'number', 'rssSlopeMbPerHour');
  t.match(report.resources, { judged: 'too-short', limits: { rssMbPerHour: 1, fdsPerHour: 6 } }, 'two minutes are too short to judge growth, and the report says so');
  t.ok(report.faults.total >= 5, `${report.faults.total} faults in two minutes`);
  t.ok(Object.keys(report.faults.byType).length >= 4, `${Object.keys(report.faults.byType).length} kinds of fault`);
  // ci-418 is chosen for what its first steps meet: an IB Gateway killed (kill -9 of IBC's start script),
  // the daemon kill -9 (pm2), an update rolled back on the update daemon.
  t.ok(report.build.capabilities.includes('gatewayUpdates'), 'the update daemon ran beside the main one');
  t.ok(report.faults.byType['daemon-kill9'] >= 1, 'the daemon was kill -9ed and restarted by pm2');
  t.ok(report.faults.byType['update-fails-health-gate'] >= 1, 'an update failed its health gate and was rolled back');
  t.ok(report.build.capabilities.includes('ibGateway'), 'the IB Gateway daemon ran beside the main one');
  t.ok(report.faults.byType['tws-gateway-kill9'] >= 1, 'its gateway group\'s leader was kill -9ed');
  t.match(report.logins, { ibGateway: { attempts: Number, blocks: Number } }, 'its logins are counted');
  t.match(report.checks, { ibGateway: { readiness: { samples: Number }, events: { lastId: Number }, processes: { maxGatewayGroups: 1 } } }, 'its invariants were checked');
  t.ok((report.checks.ibGateway as { readiness: { samples: number } }).readiness.samples > 10, 'its TWS API app ran');
  t.equal(report.recoveries.withinBound, report.recoveries.count, 'every step recovered within its bound');
  t.ok(report.requests.served > 100, `${report.requests.served} app requests served`);
  for (const step of report.steps) t.match(step, { step: Number, faults: Array, detail: String, recovered: true, boundMs: Number, withinBound: true });
  for (const [name, def] of Object.entries(report.recoveries.definitions)) t.ok(def.recovered && def.boundMs > 0, `${name} documents its recovery`);
});
