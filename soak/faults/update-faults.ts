/**
 * An update to a gateway version that never becomes ready, on the update daemon
 * (update-daemon.ts): the version is installed and switched to now (POST
 * /api/v1/gateway/versions/use), its stand-in JVM prints the banner and never listens, the health
 * gate fails after its limit, and the daemon must roll back to the version that ran before — and
 * never pick the failed one again. The main daemon's gateway must ride it out untouched.
 */
import { waitFor } from '../../testkit/wait-for.js';
import { UPDATE_GATE_TIMEOUT_MS } from '../update-daemon.js';
import type { Fault } from './fault.js';

export const updateFailsHealthGate: Fault = {
  name: 'update-fails-health-gate', weight: 1, boundMs: 60_000, needs: 'gatewayUpdates',
  recovered: `on the update daemon: the failed version is marked failed and not staged, the version that ran before is active again and its gateway runs (the health gate's limit is ${UPDATE_GATE_TIMEOUT_MS / 1000} s), and no process of the failed version is left; the main daemon's gateway is the same process`,
  async inject(ctx) {
    const updates = ctx.updates;
    if (!updates) throw new Error('no update daemon in this run');
    // The last rollback may still be winding down after its step counted as recovered (the
    // version active, its gateway running): a switch asked for then is refused with 409
    // IBGW_MAINTENANCE_BUSY, the documented answer, and the fault would not be injected at all.
    await waitFor(() => updates.settled(), 60_000, 'the update daemon to finish its running maintenance action', 250);
    const before = await updates.versions();
    const previous = before?.active ?? null;
    if (!previous) throw new Error('the update daemon has no active version');
    const broken = await updates.install('never-ready');
    const r = await updates.api.post('/api/v1/gateway/versions/use', { id: broken, when: 'now' });
    if (r.status !== 202) throw new Error(`switching to ${broken} answered ${r.status || r.error} ${r.code ?? ''} ${r.body?.message ?? ''}`);
    return {
      detail: `${previous} → ${broken} (never ready)`,
      expect: {
        gatewayRestart: false,
        extra: async () => {
          const v = await updates.versions();
          if (!v) return 'the update daemon does not answer';
          const failed = v.versions.find((x) => x.id === broken)?.failed;
          if (!failed) return `${broken} is not marked failed yet`;
          if (v.active !== previous) return `version ${v.active} is active, not ${previous}`;
          if (v.staged === broken) return `the failed version ${broken} is staged again`;
          const left = updates.runningFrom(broken);
          if (left.length > 0) return `processes of the failed version still run: ${left.join(', ')}`;
          const s = await updates.api.status();
          return s?.gateway?.state === 'running' ? null : `the update daemon's gateway is ${s?.gateway?.state ?? 'unknown'}`;
        },
      },
    };
  },
};
