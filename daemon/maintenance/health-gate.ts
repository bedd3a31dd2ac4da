/**
 * The health gate after a change: the gateway ready and — when credentials are stored, so the
 * daemon can log in by itself — the IBKR session authenticated, within a time limit, and still
 * so a little later. Without stored credentials a login needs a person, so only readiness is
 * asked for; inside IBKR's own reset no login happens at all, so neither is the session.
 */
export interface GateGatewayView {
  status(): { state: string; reason?: string | null };
}

export interface GateSessionView {
  status(): { state: string; authenticated: boolean };
}

export interface HealthGateOptions {
  gateway: GateGatewayView;
  /** Null: no session keeper (session.enabled false, or not a Client Portal Gateway). */
  session: () => GateSessionView | null;
  hasCredentials: () => boolean;
  /** True inside an IBKR reset window: the session cannot be asked for then. */
  sessionExempt: () => boolean;
  timeoutMs: number;
  stableMs: number;
  pollMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type GateResult = { ok: true; session: boolean } | { ok: false; reason: string };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runHealthGate(o: HealthGateOptions): Promise<GateResult> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? realSleep;
  const deadline = now() + o.timeoutMs;
  let healthySince: number | null = null;
  for (;;) {
    const g = o.gateway.status();
    // An operator stop or a fatal state will not heal by waiting.
    if (g.state === 'fatal' || g.state === 'stopped') return { ok: false, reason: `gateway is ${g.state}${g.reason ? `: ${g.reason}` : ''}` };
    const session = o.hasCredentials() && !o.sessionExempt() ? o.session() : null;
    const s = session?.status() ?? null;
    const healthy = g.state === 'running' && (s === null || s.authenticated);
    const t = now();
    if (healthy) {
      healthySince ??= t;
      if (t - healthySince >= o.stableMs) return { ok: true, session: s !== null };
    } else {
      healthySince = null;
    }
    if (t >= deadline) {
      if (g.state !== 'running') return { ok: false, reason: `gateway not ready within ${o.timeoutMs} ms (${g.state}${g.reason ? `: ${g.reason}` : ''})` };
      if (s && !s.authenticated) return { ok: false, reason: `session not authenticated within ${o.timeoutMs} ms (session ${s.state})` };
      return { ok: false, reason: `gateway not stable for ${o.stableMs} ms within ${o.timeoutMs} ms` };
    }
    await sleep(Math.min(o.pollMs, Math.max(1, deadline - t)));
  }
}
