/**
 * "Recovered": the daemon answers, the gateway runs (a new process or the same one, as the fault
 * expects), /readyz answers 200, a portfolio call through the gateway succeeds, and whatever the
 * fault adds. Polled until met; the time is kept even past the bound (the report shows by how
 * much), up to a hard stop after which the step is given up as not recovered.
 */
import type { Expectations, SoakContext } from './faults/fault.js';

export interface Before {
  gatewayPid: number | null;
  daemonPid: number | null;
}

export interface RecoveryResult {
  recovered: boolean;
  ms: number;
  /** What was still missing at the last look (empty once recovered). */
  missing: string;
  gatewayPid: number | null;
  daemonPid: number | null;
}

async function look(ctx: SoakContext, before: Before, expect: Expectations): Promise<{ missing: string; gatewayPid: number | null; daemonPid: number | null }> {
  const status = await ctx.api.status();
  const daemonPid = status?.daemon?.pid ?? null;
  const gatewayPid = status?.gateway?.state === 'running' ? status.gateway.pid as number : null;
  const at = { gatewayPid, daemonPid };
  if (!status) return { missing: 'the daemon does not answer', ...at };
  if (expect.daemonRestart && daemonPid === before.daemonPid) return { missing: 'the daemon has not been restarted yet', ...at };
  if (gatewayPid === null) return { missing: `the gateway is ${status.gateway.state}`, ...at };
  if (expect.gatewayRestart && gatewayPid === before.gatewayPid) return { missing: 'the gateway has not been restarted yet', ...at };
  const ready = await ctx.api.get('/readyz', { timeoutMs: 5_000 });
  if (ready.status !== 200) return { missing: `/readyz ${ready.status || ready.error}: ${ready.body?.reason ?? ''}`, ...at };
  const brokerage = await ctx.gateway.brokerage();
  if (brokerage.status !== 200) return { missing: `portfolio call ${brokerage.status || brokerage.error}`, ...at };
  const extra = expect.extra ? await expect.extra() : null;
  return { missing: extra ?? '', ...at };
}

export async function waitRecovered(ctx: SoakContext, before: Before, expect: Expectations, giveUpMs: number): Promise<RecoveryResult> {
  const started = Date.now();
  for (;;) {
    const seen = await look(ctx, before, expect).catch((err: Error) => ({ missing: `look failed: ${err.message}`, gatewayPid: null, daemonPid: null }));
    const ms = Date.now() - started;
    if (seen.missing === '') return { recovered: true, ms, ...seen };
    if (ms > giveUpMs) return { recovered: false, ms, ...seen };
    await new Promise((r) => setTimeout(r, 250));
  }
}
