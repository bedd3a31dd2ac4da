/**
 * The health ladder: process alive → port ready → HTTP answering → session authenticated.
 * Each rung has its own cure, and using the cure of a lower rung for a higher rung's trouble
 * is what hurts users: restarting the gateway because the brokerage session dropped throws
 * away the SSO login (a new 2FA prompt), while reauthenticate would have fixed it in seconds.
 * This file holds the decisions, free of timers and I/O, so every branch is tested directly.
 */
import type { SessionConfig } from '../config/types.js';
import type { CallOutcome } from './call-outcome.js';
import type { SessionReading } from './session-state.js';

export const LADDER_LEVELS = ['process-down', 'process-alive', 'port-ready', 'http-answering', 'authenticated'] as const;
export type LadderLevelName = (typeof LADDER_LEVELS)[number];

export function ladderLevel(f: { running: boolean; ready: boolean; answering: boolean; authenticated: boolean }): number {
  if (!f.running) return 0;
  if (!f.ready) return 1;
  if (!f.answering) return 2;
  return f.authenticated ? 4 : 3;
}

/**
 * Counts consecutive unanswered probes: timed out, or silent (not even the TLS handshake came
 * back: the process is stopped or frozen, found within handshakeTimeoutMs instead of the full
 * timeout). Any HTTP answer, whatever its status, proves the gateway's web server alive and
 * resets the count; a refused connection neither counts nor resets (that is the supervisor's
 * rung: the port is not ready, not hung).
 */
export class HangDetector {
  #count = 0;
  #since: number | null = null;

  constructor(private readonly threshold: number) {}

  observe(outcome: CallOutcome, at: number): 'answered' | 'suspect' | 'hung' | 'unknown' {
    if (outcome === 'timeout' || outcome === 'silent') {
      this.#count++;
      this.#since ??= at;
      return this.#count >= Math.max(1, this.threshold) ? 'hung' : 'suspect';
    }
    if (outcome === 'network-error') return 'unknown';
    this.reset();
    return 'answered';
  }

  reset(): void {
    this.#count = 0;
    this.#since = null;
  }

  get count(): number {
    return this.#count;
  }

  /** When the first unanswered probe of the current run was sent. */
  get since(): number | null {
    return this.#since;
  }
}

/** The keeper's state names, beyond the four a tickle can report. */
export type KeeperState =
  | 'stopped' | 'gateway-down' | 'gateway-starting' | 'restarting' | 'unknown'
  | 'authenticated' | 'sso-only' | 'competing' | 'no-session'
  | 'needs-login' | 'reauthenticating' | 'logging-in' | 'login-budget-spent' | 'login-blocked'
  /** Probes time out; the liveness probe decides between a hang and IBKR being unreachable. */
  | 'unresponsive'
  /** The gateway's own web server answers, API calls through it to IBKR do not. */
  | 'ibkr-unreachable'
  | 'gateway-error' | 'access-denied' | 'http-error';

export type Action =
  | { kind: 'healthy' }
  | { kind: 'reauth'; compete: boolean }
  | { kind: 'login' }
  /** Back off (recoveryBackoff) and look again; no call made now. */
  | { kind: 'wait'; state: KeeperState; reason: string }
  /** Report and look again at the normal pace. */
  | { kind: 'report'; state: KeeperState; reason: string }
  /** logout + gateway restart: the last rung of the ladder. */
  | { kind: 'escalate'; reason: string };

export interface DecisionInput {
  outcome: CallOutcome;
  reading: SessionReading | null;
  config: Pick<SessionConfig, 'competing' | 'maxRecoveryAttempts'>;
  inMaintenance: boolean;
  penaltyActive: boolean;
  hasLogin: boolean;
  /** Why there is no automated login (Chromium not installed …); said in the needs-login reason. */
  noLoginReason?: string | null;
  loginBlocked: string | null;
  /** null: a login would be within budget; else why not. */
  budgetSpent: string | null;
  /** Failed recoveries in a row since the session was last authenticated. */
  attempts: number;
}

/** What to do about one tickle answer (timeouts go through the HangDetector instead). */
export function decide(input: DecisionInput): Action {
  const { outcome, reading } = input;
  if (reading?.state === 'authenticated') return { kind: 'healthy' };
  const quiet = input.inMaintenance ? ' (inside a maintenance window: expected, no action)' : '';
  switch (outcome) {
    case 'rate-limited':
      return { kind: 'report', state: 'unknown', reason: 'gateway answered 429: penalty box' };
    case 'server-error':
      // 5xx is IBKR (maintenance) behind a working gateway: neither a login nor a restart
      // cures it, and logging in through it is how IBeam locked accounts. Back off and look.
      return { kind: 'wait', state: 'gateway-error', reason: `gateway answers 5xx${quiet}` };
    case 'access-denied':
      return { kind: 'report', state: 'access-denied', reason: "the gateway's allow-list refuses the daemon's address" };
    case 'ok':
    case 'unauthorized':
      break;
    default:
      return { kind: 'wait', state: 'http-error', reason: `tickle failed: ${outcome}${quiet}` };
  }
  if (!reading) return { kind: 'wait', state: 'http-error', reason: 'tickle answer not understood' };
  const state: KeeperState = reading.state;
  if (input.inMaintenance) return { kind: 'report', state, reason: `${describe(state)}${quiet}` };
  if (input.penaltyActive) return { kind: 'report', state, reason: `${describe(state)}; recovery paused by the 429 penalty box` };

  // Passive outcomes first: they make no call, so they never count toward escalation.
  if (state === 'competing' && input.config.competing === 'report') {
    return { kind: 'report', state, reason: 'another platform holds the brokerage session (policy: report)' };
  }
  if (state === 'competing' && input.config.competing === 'wait') {
    return { kind: 'wait', state, reason: 'another platform holds the brokerage session (policy: wait)' };
  }
  if (state === 'no-session') {
    if (!input.hasLogin) {
      const why = input.noLoginReason ? ` (no automated login: ${input.noLoginReason})` : '';
      return { kind: 'report', state: 'needs-login', reason: `no SSO session: log in at the login URL${why}` };
    }
    if (input.loginBlocked) return { kind: 'report', state: 'login-blocked', reason: `automated logins stopped: ${input.loginBlocked}` };
    if (input.budgetSpent) return { kind: 'report', state: 'login-budget-spent', reason: input.budgetSpent };
  }
  if (input.attempts >= input.config.maxRecoveryAttempts) {
    return { kind: 'escalate', reason: `${input.attempts} recoveries failed (${describe(state)})` };
  }
  if (state === 'no-session') return { kind: 'login' };
  return { kind: 'reauth', compete: state === 'competing' };
}

function describe(state: KeeperState): string {
  switch (state) {
    case 'no-session': return 'no SSO session';
    case 'sso-only': return 'SSO session without brokerage session';
    case 'competing': return 'competing session';
    default: return state;
  }
}
