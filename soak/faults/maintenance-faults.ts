/**
 * An admin maintenance window with each action, opened now (POST /api/v1/maintenance/now) and
 * ended early (POST /api/v1/maintenance/end): restart, stop (the gateway stays down for the
 * window), quiet (notifications held), apply (a change staged with when: next-window goes in,
 * behind the health gate).
 */
import { waitFor } from '../../testkit/wait-for.js';
import type { Prng } from '../prng.js';
import type { Fault, SoakContext } from './fault.js';

const ACTIONS = ['restart', 'stop', 'quiet', 'apply'] as const;

/** One change for the next window: an allow-list entry (added, or removed if the soak has one) or a certificate renewal. */
async function stageChange(ctx: SoakContext, rng: Prng): Promise<string> {
  if (rng.chance(0.5)) {
    const r = await ctx.api.post('/api/v1/tls/renew', { reason: 'soak: staged renewal', when: 'next-window' });
    if (r.status !== 202) throw new Error(`staging a renewal answered ${r.status || r.error} ${r.code ?? ''}`);
    return 'certificate renewal staged';
  }
  const list = await ctx.api.get('/api/v1/access', { admin: true });
  const ours = (list.body?.allow ?? []).find((e: { label: string | null }) => e.label === 'soak') as { pattern: string } | undefined;
  const entry = ours?.pattern ?? `10.${rng.int(0, 255)}.${rng.int(0, 255)}.*`;
  const r = await ctx.api.post(ours ? '/api/v1/access/allow/remove' : '/api/v1/access/allow', ours ? { entry, when: 'next-window' } : { entry, label: 'soak', when: 'next-window' });
  if (r.status !== 202) throw new Error(`staging an allow-list change answered ${r.status || r.error} ${r.code ?? ''} ${r.body?.message ?? ''}`);
  return `allow ${ours ? 'remove' : 'add'} ${entry} staged`;
}

async function maintenanceStatus(ctx: SoakContext): Promise<{ current: unknown; running: boolean; pending: number } | null> {
  const r = await ctx.api.get('/api/v1/maintenance/status');
  return r.status === 200 ? r.body : null;
}

/** Ends the window; while its action still runs (a gated change) the end waits for it. */
async function endWindow(ctx: SoakContext): Promise<void> {
  await waitFor(async () => {
    const r = await ctx.api.post('/api/v1/maintenance/end', {});
    if (r.status === 200 || r.code === 'IBGW_MAINTENANCE_NOT_ACTIVE') return true;
    if (r.code === 'IBGW_MAINTENANCE_BUSY') return null;
    throw new Error(`POST /api/v1/maintenance/end answered ${r.status || r.error} ${r.code ?? ''} ${r.body?.message ?? ''}`);
  }, 120_000, 'the maintenance window ended', 500);
}

export const maintenanceWindow: Fault = {
  name: 'maintenance-window', weight: 2, boundMs: 60_000, needs: 'maintenance',
  recovered: 'the window ended early and its action is done (nothing pending, no change running); the gateway runs — a new process after restart, stop and apply — the session is authenticated, /readyz answers 200 and a portfolio call succeeds',
  async inject(ctx, rng) {
    const action = rng.pick(ACTIONS);
    const staged = action === 'apply' || (action === 'restart' && rng.chance(0.5)) ? await stageChange(ctx, rng) : null;
    const r = await ctx.api.post('/api/v1/maintenance/now', { minutes: 5, action, title: `soak ${action}`, reason: 'soak' });
    if (r.status !== 201) throw new Error(`POST /api/v1/maintenance/now answered ${r.status || r.error} ${r.code ?? ''} ${r.body?.message ?? ''}`);
    const holdMs = ctx.pace.holdMs(rng);
    return {
      detail: `${action} window for ${holdMs} ms${staged ? ` (${staged})` : ''}`, holdMs,
      heal: () => endWindow(ctx),
      expect: {
        gatewayRestart: action === 'quiet' ? false : true,
        extra: async () => {
          const s = await maintenanceStatus(ctx);
          if (!s) return 'GET /api/v1/maintenance/status does not answer';
          if (s.current || s.running) return 'the window or its change is still on';
          return s.pending > 0 ? `${s.pending} change(s) still pending` : null;
        },
      },
    };
  },
};
