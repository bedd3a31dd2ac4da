/** The keeper's options, status and metrics shapes (kept apart so the API can import types only). */
import type { SessionConfig } from '../config/types.js';
import type { EventSink } from '../events.js';
import type { Logger } from '../logger.js';
import type { WindowCalendar } from '../maintenance/calendar.js';
import type { EndpointClass, EndpointClassStats } from './endpoint-stats.js';
import type { KeeperState, LadderLevelName } from './ladder.js';
import type { LoginBlock } from './login-budget.js';
import type { AcquireSlot } from './min-gap-pacer.js';
import type { LoginFunction } from './recovery.js';
import type { StateChange } from './connection-history.js';
import type { CallPacer } from '../ibkr/pacer.js';

/** What the keeper needs of the gateway process; main.ts adapts the Supervisor to it. */
export interface GatewayControl {
  isRunning(): boolean;
  /** The port accepts connections (the supervisor's readiness). */
  isReady(): boolean;
  /** `graceMs` replaces the stop's TERM → KILL grace (a gateway judged hung gets a short one). */
  restart(reason: string, options?: { graceMs?: number }): Promise<void> | void;
}

export interface SessionKeeperOptions {
  config: SessionConfig;
  baseUrl: () => string;
  ca: () => Promise<string | null>;
  gateway: GatewayControl;
  /**
   * The auth-status check's own floor, asked before each check (refused: the check is skipped).
   * Default: one per session.authCheckIntervalMs (min-gap-pacer.ts). The call itself then takes
   * its slot in the shared `pacer` like every keeper call, so the check counts in the budget the
   * apps' pass-through shares; do not pass the shared pacer here too (it would count twice).
   */
  acquireAuthCheck?: AcquireSlot;
  /** Automated login (a later issue). Without it a lost SSO session is reported as needs-login. */
  login?: LoginFunction;
  /**
   * Asked before each automated login: why it cannot run now (no credentials stored, Chromium
   * not installed …), or null. A login that cannot work must not spend the login budget.
   */
  loginUnavailable?: () => string | null;
  /** Maintenance windows: inside one, failures are expected and nothing escalates. */
  calendar?: WindowCalendar;
  /** IBKR's pacing, shared with the apps' pass-through: the keeper's calls go first, within a reserved share. */
  pacer?: CallPacer;
  /** Login budget and block record (JSON, mode 0600); null/absent: memory only. */
  budgetPath?: string | null;
  /** State-change history for uptime; null/absent: memory only. */
  historyPath?: string | null;
  onEvent?: EventSink;
  /** For what is no event: the stack of a step that threw. Events are logged by the sink. */
  logger?: Logger;
  // Timings come from `config` (config/default.yaml). What follows is for tests only: a clock,
  // timers and randomness to inject, and two paces that are constants of the keeper.
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  random?: () => number;
  /** How often the gateway's isRunning/isReady is looked at while it is not ready (1000). */
  gatewayPollMs?: number;
  /** Least time between two tickles (1100: IBKR allows one a second). Tests lift it with the simulator's limit. */
  minTickleGapMs?: number;
}

export interface RecoveryRecord {
  kind: 'reauth' | 'takeover' | 'login' | 'restart';
  result: string;
  at: number;
  ms: number;
  detail: string;
}

export interface SessionStatus {
  state: KeeperState;
  since: number;
  reason: string | null;
  authenticated: boolean;
  connected: boolean;
  competing: boolean;
  ssoExpiresAt: number | null;
  lastTickleAt: number | null;
  lastTickleMs: number | null;
  loginsToday: number;
  loginUrl: string;
  loginBlocked: LoginBlock | null;
  penaltyUntil: number | null;
  inMaintenance: boolean;
  maintenanceWindow: { start: number; end: number; reason: string } | null;
  ladder: {
    level: number;
    name: LadderLevelName;
    hangCount: number;
    recoveryAttempts: number;
    restartsInRow: number;
    nextCheckAt: number | null;
    lastRecovery: RecoveryRecord | null;
  };
}

export interface SessionMetrics {
  endpoints: Record<EndpointClass, EndpointClassStats>;
  uptime: { lastDayPercent: number | null; lastWeekPercent: number | null };
  stateChanges: StateChange[];
  counters: { tickles: number; restartsRequested: number; recoveries: number; recoveriesOk: number; logins: number; penalties: number };
  inflight: number;
}
