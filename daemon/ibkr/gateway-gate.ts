/**
 * Whether a call to IBKR through the gateway can succeed right now, asked before each one:
 * an app gets a 503 with the reason and when to try again at once, instead of its request
 * waiting out a timeout against a gateway that is down, logged out, in IBKR's nightly reset
 * or in the penalty box. Retry-After is the window's end when the calendar knows it.
 */
import { ERR_IBKR_UNAVAILABLE, type IbgwError } from '../errors.js';
import type { WindowCalendar } from '../maintenance/calendar.js';

/** What the gate reads of the session keeper's status (null: the keeper is off). */
export interface SessionView {
  state: string;
  authenticated: boolean;
  penaltyUntil: number | null;
  maintenanceWindow: { start: number; end: number; reason: string } | null;
}

export interface GateInputs {
  gatewayState(): string;
  session(): SessionView | null;
  calendar: WindowCalendar | null;
  /** The pacer's penalty box end, from a 429 an app's call met. */
  penaltyUntil(): number | null;
  now?: () => number;
}

export type GateVerdict =
  | { ok: true }
  | { ok: false; reason: string; message: string; retryAfterMs: number; until: number | null; window: { start: number; end: number; reason: string } | null };

/** How long to wait when nothing says better: the gateway's states take seconds, a login needs a person. */
const GATEWAY_WAIT_MS: Record<string, number> = { starting: 5000, backoff: 10_000, stopping: 10_000, stopped: 60_000, fatal: 60_000 };
const SESSION_WAIT_MS: Record<string, number> = { 'needs-login': 60_000, 'login-blocked': 300_000, 'login-budget-spent': 300_000, reauthenticating: 5000, 'logging-in': 10_000, unknown: 5000 };

export function checkGate(inputs: GateInputs): GateVerdict {
  const now = (inputs.now ?? Date.now)();
  const window = inputs.calendar?.current(now) ?? null;
  const quiet = window ? { start: window.start, end: window.end, reason: window.reason } : null;
  const refuse = (reason: string, message: string, waitMs: number, until: number | null = null): GateVerdict => {
    // Inside a maintenance window nothing comes back before its end.
    const end = until ?? (quiet ? quiet.end : null);
    const retryAfterMs = end !== null ? Math.max(1000, end - now) : waitMs;
    return { ok: false, reason, message, retryAfterMs, until: end, window: quiet };
  };
  const gateway = inputs.gatewayState();
  if (gateway !== 'running') return refuse(`gateway-${gateway}`, `the gateway is ${gateway}`, GATEWAY_WAIT_MS[gateway] ?? 10_000);
  const session = inputs.session();
  const penalty = Math.max(inputs.penaltyUntil() ?? 0, session?.penaltyUntil ?? 0);
  if (penalty > now) return refuse('penalty-box', `IBKR rate-limited the gateway until ${new Date(penalty).toISOString()}`, penalty - now, penalty);
  if (session && !session.authenticated) {
    const sessionQuiet = session.maintenanceWindow ?? quiet;
    if (sessionQuiet) return refuse('maintenance', `IBKR maintenance until ${new Date(sessionQuiet.end).toISOString()} (${sessionQuiet.reason}); session is ${session.state}`, 0, sessionQuiet.end);
    return refuse(`session-${session.state}`, `the IBKR session is ${session.state}`, SESSION_WAIT_MS[session.state] ?? 15_000);
  }
  return { ok: true };
}

export function gateError(verdict: Exclude<GateVerdict, { ok: true }>): IbgwError {
  const err = ERR_IBKR_UNAVAILABLE(verdict.message);
  err.details = {
    reason: verdict.reason,
    retryAfter: Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)),
    ...(verdict.until !== null ? { until: new Date(verdict.until).toISOString() } : {}),
    ...(verdict.window ? { maintenance: { start: new Date(verdict.window.start).toISOString(), end: new Date(verdict.window.end).toISOString(), reason: verdict.window.reason } } : {}),
  };
  return err;
}
