/**
 * Faults of the IB Gateway kind, on the daemon that runs it beside the main one (tws-daemon.ts):
 * its gateway crashing, killed, frozen or hung, IBKR out of its reach, and a rejected password.
 * None joins another step as its second fault (a step's faults are on one daemon's gateway, or a
 * main-daemon fault joins one of these: both daemons then recover at once), and each expects the
 * main daemon's gateway to ride it out untouched unless a joined fault needs its restart — one
 * supervisor's trouble is no reason for another's.
 *
 * "Recovered" on that daemon: its gateway runs (a new process or the same one, as the fault
 * expects), its session is authenticated, its /readyz answers 200, a TWS API client library
 * completes a session against the gateway, and no process of an earlier gateway group is left.
 */
import { waitFor } from '../../testkit/wait-for.js';
import { stat } from '../invariants/process-scan.js';
import { twsSession } from '../tws-app.js';
import { TWS_TIMINGS, type TwsDaemon } from '../tws-daemon.js';
import { signal, type Fault, type SoakContext } from './fault.js';

const RECOVERED = 'on the IB Gateway daemon: its session is authenticated, /readyz answers 200, a TWS API client completes a session (accounts, time, positions) and no process of an earlier gateway group is left; the main daemon\'s gateway is the same process';
const RESTARTED = `the IB Gateway runs again under a new pid; ${RECOVERED}`;
const SAME = `the same IB Gateway process still runs (no restart); ${RECOVERED}`;

function twsOf(ctx: SoakContext): TwsDaemon {
  if (!ctx.tws) throw new Error('no IB Gateway daemon in this run');
  return ctx.tws.daemon;
}

async function runningGateway(tws: TwsDaemon): Promise<number> {
  const pid = await tws.gatewayPid();
  if (pid === null) throw new Error('the IB Gateway daemon\'s gateway is not running');
  return pid;
}

/** What is still missing before the IB Gateway daemon counts as recovered (null: nothing). */
async function twsRecovered(ctx: SoakContext, before: number, restart: boolean | undefined): Promise<string | null> {
  const tws = twsOf(ctx);
  const status = await tws.api.status();
  if (!status) return 'the IB Gateway daemon does not answer';
  if (status.gateway?.state !== 'running') return `the IB Gateway is ${status.gateway?.state ?? 'unknown'}`;
  const pid = status.gateway.pid as number;
  if (restart === true && pid === before) return 'the IB Gateway has not been restarted yet';
  // Not a wait: a restart that already happened cannot be undone; the step fails with this.
  if (restart === false && pid !== before) return `the IB Gateway was restarted (pid ${before} → ${pid}); it should have ridden the fault out`;
  const session = await tws.sessionState();
  if (session !== 'authenticated') return `the IB Gateway session is ${session ?? 'unknown'}`;
  const ready = await tws.api.get('/readyz', { timeoutMs: 5_000 });
  if (ready.status !== 200) return `the IB Gateway daemon's /readyz ${ready.status || ready.error}: ${ready.body?.reason ?? ''}`;
  const app = await twsSession(tws.port, TWS_TIMINGS.appClientId + 1, tws.identity.account);
  if (!app.ok) return `a TWS API session failed: ${app.reason}`;
  const strays = ctx.tws!.processes.strays(pid);
  return strays.length === 0 ? null : `processes of an earlier IB Gateway group still run: ${strays.join(', ')}`;
}

function expect(ctx: SoakContext, before: number, restart: boolean | undefined) {
  return { gatewayRestart: false, extra: () => twsRecovered(ctx, before, restart) };
}

export const twsGatewayCrash: Fault = {
  name: 'tws-gateway-crash', weight: 1, boundMs: 45_000, needs: 'ibGateway', recovered: RESTARTED,
  async inject(ctx, rng) {
    const tws = twsOf(ctx);
    const pid = await runningGateway(tws);
    const code = rng.pick([1, 2, 70]);
    const r = await tws.control('/fault/crash', { code });
    if (r.status !== 200) throw new Error(`IB Gateway simulator control /fault/crash: ${r.status || r.error}`);
    return { detail: `IB Gateway ${pid} exits with ${code}`, expect: expect(ctx, pid, true) };
  },
};

/** kill -9 of the group's leader (IBC's start script): the JVM under it must not be left behind. */
export const twsGatewayKill9: Fault = {
  name: 'tws-gateway-kill9', weight: 1, boundMs: 45_000, needs: 'ibGateway', recovered: RESTARTED,
  async inject(ctx) {
    const tws = twsOf(ctx);
    const pid = await runningGateway(tws);
    signal(pid, 'SIGKILL');
    return { detail: `SIGKILL to the IB Gateway group's leader ${pid}`, expect: expect(ctx, pid, true) };
  },
};

/** The whole group frozen (a JVM in a long pause): ridden out when short, a restart when long. */
export const twsGatewaySigstop: Fault = {
  name: 'tws-gateway-sigstop', weight: 1, boundMs: 45_000, needs: 'ibGateway', recovered: `${RECOVERED} (a restart is allowed)`,
  async inject(ctx, rng) {
    const tws = twsOf(ctx);
    const pid = await runningGateway(tws);
    const since = stat(pid)?.startTime ?? null;
    const holdMs = rng.int(2_000, 16_000);
    signal(-pid, 'SIGSTOP');
    return {
      detail: `SIGSTOP to the IB Gateway group ${pid} for ${holdMs} ms`, holdMs,
      // The group of that very leader only: after a restart the number may be someone else's.
      heal: async () => { if (since !== null && stat(pid)?.startTime === since) signal(-pid, 'SIGCONT'); },
      expect: expect(ctx, pid, undefined),
    };
  },
};

/** The API stops answering while the process lives: found by the daemon's probe, then a restart. */
export const twsGatewayHang: Fault = {
  name: 'tws-gateway-hang', weight: 1, boundMs: 45_000, needs: 'ibGateway', recovered: RESTARTED,
  async inject(ctx) {
    const tws = twsOf(ctx);
    const pid = await runningGateway(tws);
    const r = await tws.control('/fault/hang', { on: true });
    if (r.status !== 200) throw new Error(`IB Gateway simulator control /fault/hang: ${r.status || r.error}`);
    return { detail: `IB Gateway ${pid} stops answering its API`, expect: expect(ctx, pid, true) };
  },
  undo: (ctx) => twsOf(ctx).control('/fault/hang', { on: false }),
};

/** 1100 then 1102 from a healthy gateway: a wait, never a restart (it would lose nothing but time). */
export const twsIbkrUnreachable: Fault = {
  name: 'tws-ibkr-unreachable', weight: 1, boundMs: 35_000, needs: 'ibGateway', recovered: SAME,
  async inject(ctx, rng) {
    const tws = twsOf(ctx);
    const pid = await runningGateway(tws);
    const holdMs = ctx.pace.holdMs(rng);
    const r = await tws.control('/fault/unreachable', { on: true });
    if (r.status !== 200) throw new Error(`IB Gateway simulator control /fault/unreachable: ${r.status || r.error}`);
    return {
      detail: `IB Gateway ${pid} loses IBKR (1100) for ${holdMs} ms`, holdMs,
      heal: async () => {
        const off = await tws.control('/fault/unreachable', { on: false });
        if (off.status !== 200) return `switching IBKR back on answered ${off.status || off.error}`;
      },
      expect: expect(ctx, pid, false),
    };
  },
  undo: (ctx) => twsOf(ctx).control('/fault/unreachable', { on: false }),
};

/**
 * A wrong password in the vault, then a start: IBC's login is rejected once, the daemon blocks
 * automated logins and stops the gateway before IBC's cold restart types the same password again
 * — never a second attempt until the right credentials are stored, which lifts the block.
 */
export const twsRejectedPassword: Fault = {
  name: 'tws-rejected-password', weight: 1, boundMs: 60_000, needs: 'ibGateway',
  recovered: `after the right credentials are stored the block is cleared and the gateway logs in once; ${RESTARTED}; no login attempt while the block stood`,
  async inject(ctx, rng) {
    const tws = twsOf(ctx);
    const pid = await runningGateway(tws);
    await tws.storeCredentials(`wrong-${rng.int(100_000, 999_999)}-password`);
    try {
      const r = await tws.api.post('/api/v1/gateway/restart', { reason: 'soak: tws-rejected-password' });
      if (r.status !== 200) throw new Error(`POST /api/v1/gateway/restart answered ${r.status || r.error} ${r.code ?? ''}`);
      await waitFor(async () => (await tws.sessionState()) === 'login-blocked', 90_000, 'the IB Gateway session blocked after the rejected login', 250);
    } catch (err) {
      await tws.storeCredentials(tws.identity.password);
      throw err;
    }
    const holdMs = ctx.pace.holdMs(rng);
    return {
      detail: `wrong password stored, IBC's login rejected and blocked; the right one back after ${holdMs} ms`, holdMs,
      heal: async () => {
        ctx.tws!.logins.check();
        ctx.tws!.logins.clearedAt(Date.now());
        await tws.storeCredentials(tws.identity.password);
      },
      expect: expect(ctx, pid, true),
    };
  },
};

export const TWS_FAULTS: readonly Fault[] = [twsGatewayCrash, twsGatewayKill9, twsGatewaySigstop, twsGatewayHang, twsIbkrUnreachable, twsRejectedPassword];
