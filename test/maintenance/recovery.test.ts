/**
 * A daemon that died in the middle of a change: at the next start the change is gated, and
 * rolled back when the gate fails (the rollback point is on disk, 0600).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { maintenanceHarness, RecordingGateway } from '../helpers/maintenance-harness.js';

class NeverReady extends RecordingGateway {
  override async start(reason: string) {
    this.calls.push(`start: ${reason}`);
    this.state = this.calls.filter((c) => c.startsWith('start')).length > 1 ? 'running' : 'starting';
  }
}

t.test('an interrupted change is gated at the next start: passes, or is rolled back', async (t) => {
  const gateway = new RecordingGateway('running');
  let h = await maintenanceHarness(t, { start: '2025-06-02T10:00:00Z', gateway, config: { healthGate: { timeoutMs: 300, stableMs: 0, pollMs: 10 } } });
  await h.service.points.capture('apply window "x"');
  t.equal(statSync(join(h.dataDir, 'maintenance/rollback/point.json')).mode & 0o777, 0o600);
  h = await h.restartDaemon();
  await h.settle();
  t.match(h.of('maintenance.applied'), [{ data: { label: /interrupted by a daemon restart/, gate: 'passed' } }]);
  t.equal((await h.service.points.load())?.status, 'applied');

  const broken = new NeverReady('stopped');
  await h.service.points.capture('update window "y"');
  h = await h.restartDaemon({ gateway: broken });
  await h.settle();
  t.match(h.of('maintenance.rolled-back'), [{ data: { reason: /gateway not ready within 300 ms \(starting/ } }]);
  t.equal(broken.state, 'running', 'started again after the rollback');
  t.equal((await h.service.points.load())?.status, 'rolled-back');
});
