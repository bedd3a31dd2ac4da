/**
 * Faults of what surrounds the daemon: the notification receiver going away, and the daemon
 * itself killed outright and brought back by its service manager (pm2, for real).
 */
import type { Fault, SoakContext } from './fault.js';
import { signal } from './fault.js';

const RESTARTED = 'the gateway runs again under a new pid, the session is authenticated, /readyz answers 200 and a portfolio call succeeds';

async function outboxDrained(ctx: SoakContext): Promise<string | null> {
  const r = await ctx.api.get('/api/v1/notifications', { admin: true, timeoutMs: 5_000 });
  if (r.status !== 200) return `GET /api/v1/notifications answered ${r.status || r.error}`;
  const pending = (r.body.recent as Array<{ state: string }>).filter((d) => d.state === 'pending').length;
  return pending === 0 ? null : `${pending} notification(s) still pending`;
}

/**
 * The receiver refuses connections for a while; meanwhile a planned restart makes a notification
 * that must wait in the outbox and arrive once the receiver is back.
 */
export const receiverDown: Fault = {
  name: 'receiver-down', weight: 1, boundMs: 45_000,
  recovered: `${RESTARTED}; every notification made while the receiver was down has been delivered (the outbox holds nothing pending)`,
  async inject(ctx, rng) {
    await ctx.receiver.down();
    const holdMs = ctx.pace.holdMs(rng) + 3_000;
    const r = await ctx.api.post('/api/v1/gateway/restart', { reason: 'soak: receiver-down' });
    if (r.status !== 200) {
      await ctx.receiver.up();
      throw new Error(`POST /api/v1/gateway/restart answered ${r.status || r.error} ${r.code ?? ''}`);
    }
    return {
      detail: `receiver down for ${holdMs} ms, gateway restarted meanwhile`, holdMs,
      heal: () => ctx.receiver.up(),
      expect: { gatewayRestart: true, extra: () => outboxDrained(ctx) },
    };
  },
};

/**
 * kill -9 of the daemon: the lifeline takes the gateway group down, pm2 starts the daemon again.
 * Never a second fault, and in one round of six only (about every 35 minutes at the default pace):
 * whether the daemon's memory grows can only be seen in a daemon that lives long past its warm-up
 * (invariants/resource-monitor.ts); a kill every round left none older than ~7 minutes.
 */
export const daemonKill9: Fault = {
  name: 'daemon-kill9', weight: 1, everyRounds: 6, boundMs: 60_000,
  recovered: `pm2 started a new daemon process; ${RESTARTED}`,
  async inject(ctx) {
    const pid = ctx.daemonPid();
    if (pid === null || !signal(pid, 'SIGKILL')) throw new Error(`no daemon pid to kill (${pid})`);
    return { detail: `SIGKILL to daemon ${pid}`, expect: { daemonRestart: true, gatewayRestart: true } };
  },
};
