/**
 * The guide's testConnection for apps: `{success, error?}`. Success needs all three: the
 * gateway process running, the IBKR session authenticated, and a brokerage call answered —
 * the last one is what "healthy" checks that only look at the process get wrong. The call is
 * /iserver/accounts through the pass-through; an answer from the last few seconds counts, so
 * polling apps cost IBKR at most one call per interval together.
 */
import { ERR_GATEWAY_TIMEOUT, ERR_IBKR_UNAVAILABLE, ERR_IBKR_UPSTREAM, isIbgwError } from '../errors.js';
import type { Forward } from './portfolio.js';

export interface ConnectionReport {
  success: boolean;
  /** Starts with what failed, like the guide's errors: "Connection refused", "Authentication failed", … */
  error?: string;
  code?: string;
  retryAfter?: number;
  gateway: string;
  session: string | null;
  checkedAt: string;
}

export interface ConnectionInputs {
  gatewayState(): string;
  sessionState(): { state: string; authenticated: boolean } | null;
  forward: Forward;
  /** How fresh a cached answer may be. */
  maxAgeMs?: number;
}

export async function testConnection(inputs: ConnectionInputs): Promise<ConnectionReport> {
  const gateway = inputs.gatewayState();
  const session = inputs.sessionState();
  const base = { gateway, session: session?.state ?? null, checkedAt: new Date().toISOString() };
  if (gateway !== 'running') return { ...base, success: false, error: `Connection refused: the gateway is ${gateway}`, code: ERR_IBKR_UNAVAILABLE.code };
  if (session && !session.authenticated) return { ...base, success: false, error: `Authentication failed: the IBKR session is ${session.state}`, code: ERR_IBKR_UNAVAILABLE.code };
  try {
    const answer = await inputs.forward({ method: 'GET', target: '/iserver/accounts', maxAgeMs: inputs.maxAgeMs ?? 5000 });
    if (answer.status === 200) return { ...base, success: true };
    return { ...base, success: false, error: `No answer from IBKR: the gateway answered /iserver/accounts with HTTP ${answer.status}`, code: ERR_IBKR_UPSTREAM.code };
  } catch (err) {
    if (!isIbgwError(err)) throw err;
    const reason = String(err.details?.reason ?? '');
    const what = reason.startsWith('gateway-') ? 'Connection refused'
      : reason.startsWith('session-') ? 'Authentication failed'
        : err.code === ERR_GATEWAY_TIMEOUT.code ? 'Timeout'
          : err.statusCode === 429 || reason === 'penalty-box' ? 'Rate limited'
            : 'No answer from IBKR';
    const retryAfter = typeof err.details?.retryAfter === 'number' ? err.details.retryAfter : undefined;
    return { ...base, success: false, error: `${what}: ${err.message}`, code: err.code, ...(retryAfter ? { retryAfter } : {}) };
  }
}
