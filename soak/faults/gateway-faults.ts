/**
 * Faults of the gateway process and of IBKR behind it, injected through the simulator's control
 * channel or with signals straight at the gateway's pid.
 */
import { readFileSync } from 'node:fs';
import { control, signal, TargetGone, type Fault, type SoakContext } from './fault.js';

const RESTARTED = 'the gateway runs again under a new pid, the session is authenticated, /readyz answers 200 and a portfolio call succeeds';
const SAME_GATEWAY = 'the same gateway process still runs (no restart), the session is authenticated, /readyz answers 200 and a portfolio call succeeds';
const HEALTHY = 'the session is authenticated, /readyz answers 200 and a portfolio call succeeds (a restart is allowed)';

async function runningGateway(ctx: SoakContext): Promise<number> {
  const pid = await ctx.gatewayPid();
  if (pid === null) throw new TargetGone('no gateway running');
  return pid;
}

function startTime(pid: number): string | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

export const gatewayCrash: Fault = {
  name: 'gateway-crash', weight: 2, joins: true, boundMs: 45_000, recovered: RESTARTED,
  async inject(ctx, rng) {
    const code = rng.pick([1, 2, 70]);
    await control(ctx, '/fault/crash', { code });
    return { detail: `exit code ${code}`, expect: { gatewayRestart: true } };
  },
};

export const gatewayKill9: Fault = {
  name: 'gateway-kill9', weight: 2, joins: true, boundMs: 45_000, recovered: RESTARTED,
  async inject(ctx) {
    const pid = await runningGateway(ctx);
    signal(pid, 'SIGKILL');
    return { detail: `SIGKILL to ${pid}`, expect: { gatewayRestart: true } };
  },
};

/**
 * A frozen JVM (a long GC pause, a stopped container). Short pauses are ridden out; longer ones
 * look like a hang and the daemon restarts the gateway. Either is fine; the bound is what counts.
 */
export const gatewaySigstop: Fault = {
  name: 'gateway-sigstop', weight: 2, joins: true, boundMs: 45_000, recovered: HEALTHY,
  async inject(ctx, rng) {
    const pid = await runningGateway(ctx);
    const since = startTime(pid);
    const holdMs = rng.int(2_000, 16_000);
    signal(pid, 'SIGSTOP');
    return {
      detail: `SIGSTOP ${pid} for ${holdMs} ms`, holdMs,
      // Only the very process stopped: after a restart the pid may be someone else's.
      heal: async () => { if (since !== null && startTime(pid) === since) signal(pid, 'SIGCONT'); },
    };
  },
};

export const slowAnswers: Fault = {
  name: 'slow-answers', weight: 2, joins: true, boundMs: 30_000, recovered: SAME_GATEWAY,
  async inject(ctx, rng) {
    const ms = rng.int(300, 3_000);
    const holdMs = ctx.pace.holdMs(rng);
    await control(ctx, '/fault/slow', { ms });
    return { detail: `every answer ${ms} ms late for ${holdMs} ms`, holdMs, heal: () => control(ctx, '/fault/slow', { ms: 0 }), expect: { gatewayRestart: false } };
  },
  undo: (ctx) => ctx.gateway.control('POST', '/fault/slow', { ms: 0 }),
};

/** IBKR out of reach behind a healthy gateway: the daemon must wait, a restart would lose the session. */
export const ibkrUnreachable: Fault = {
  name: 'ibkr-unreachable', weight: 2, joins: true, boundMs: 35_000, recovered: SAME_GATEWAY,
  async inject(ctx, rng) {
    const holdMs = ctx.pace.holdMs(rng);
    await control(ctx, '/fault/unreachable', { on: true });
    return { detail: `API calls unanswered for ${holdMs} ms`, holdMs, heal: () => control(ctx, '/fault/unreachable', { on: false }), expect: { gatewayRestart: false } };
  },
  undo: (ctx) => ctx.gateway.control('POST', '/fault/unreachable', { on: false }),
};

export const maintenance5xx: Fault = {
  name: 'maintenance-5xx', weight: 2, joins: true, boundMs: 45_000, recovered: HEALTHY,
  async inject(ctx, rng) {
    const status = rng.pick([500, 502, 503]);
    const holdMs = ctx.pace.holdMs(rng);
    await control(ctx, '/fault/maintenance', { on: true, status });
    return { detail: `API calls answer ${status} for ${holdMs} ms`, holdMs, heal: () => control(ctx, '/fault/maintenance', { on: false }) };
  },
  undo: (ctx) => ctx.gateway.control('POST', '/fault/maintenance', { on: false }),
};

/** Above gateway.resources.memoryLimitMb (soak-config.ts): a planned restart. */
export const memoryGrowth: Fault = {
  name: 'memory-growth', weight: 1, joins: true, boundMs: 45_000, recovered: RESTARTED,
  async inject(ctx, rng) {
    const mb = rng.int(180, 260);
    await control(ctx, '/fault/memory', { mb });
    return { detail: `gateway holds ${mb} MB more`, expect: { gatewayRestart: true } };
  },
  undo: (ctx) => ctx.gateway.control('POST', '/fault/memory', { mb: 0 }),
};
