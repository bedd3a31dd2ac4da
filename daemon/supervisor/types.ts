/**
 * The supervisor's public shapes (docs/ARCHITECTURE.md, "Supervisor").
 */
import type { BackoffConfig, GatewayConfig } from '../config/types.js';
import type { EventSink } from '../events.js';
import type { Logger } from '../logger.js';
import type { LogLine } from './log-capture.js';
import type { ResourceSample } from './resource-monitor.js';
import type { SupervisorState } from './state-machine.js';

export interface LaunchSpec {
  /** argv; argv[0] is resolved against the env's PATH and `cwd` before spawning. */
  command: string[];
  cwd: string;
  /** Layered over the daemon's own environment (IBGW_RUN_MARKER is added by the supervisor). */
  env: Record<string, string>;
  /** Where the readiness probe connects. */
  host: string;
  port: number;
  /**
   * A launcher's own clean shutdown, asked before the group is signalled whenever a live
   * gateway is ended on purpose (stop, restart, start timeout, memory limit) — e.g. IBC's STOP
   * command, which logs out of IBKR first. The supervisor then waits up to `timeoutMs` in all
   * for the group leader to exit, and signals whatever is left (TERM → grace → KILL) either
   * way, so a hook that hangs or fails only costs that time.
   */
  beforeStop?: { run: (reason: string) => Promise<void>; timeoutMs: number };
}

export interface SupervisorOptions {
  /** Called before every spawn (renders conf.yaml, keystore …). A throw is a failed start. */
  launch: () => Promise<LaunchSpec>;
  /** Run record in <dataDir>/run, gateway.log in <dataDir>/logs. */
  dataDir: string;
  startTimeoutMs: number;
  stopGraceMs: number;
  readyProbeIntervalMs: number;
  /** standby: fork the next start's process while the gateway runs (standby.ts); default true. */
  restart: { backoff: BackoffConfig; stableAfterMs: number; maxRestarts: number; windowMs: number; standby?: boolean };
  resources: GatewayConfig['resources'];
  /** maxPendingBytes: log bytes waiting for the disk before lines are dropped (default 8 MiB). */
  logs: GatewayConfig['logs'] & { maxPendingBytes?: number };
  redactLine?: (line: string) => string;
  onEvent?: EventSink;
  logger?: Logger;
  /** For jitter; tests pass a constant. */
  random?: () => number;
  /** Clock for timestamps, uptime and the restart window. Timers themselves are real. */
  now?: () => number;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  at: string;
  reason: string;
}

/** A type alias, not an interface: aliases are implicitly indexable, so the API's `[key: string]: unknown` views accept it. */
export type GatewayStatus = {
  state: SupervisorState;
  /** The gateway's pid (= its process group id) while one exists. */
  pid: number | null;
  /** When the current state was entered (ISO). */
  since: string;
  /**
   * Restarts of the gateway since this daemon started: automatic ones after a crash or failed
   * start, and planned ones (operator, memory limit, session recovery, config change). A first
   * start, or a start after a stop or fatal, is no restart. Across daemon runs: the API's
   * `restartsAllTime`.
   */
  restartsSinceStart: number;
  lastExit: ExitInfo | null;
  /** Percent of one CPU over the whole group at the last sample; null when not sampled. */
  cpu: number | null;
  /** RSS bytes of the whole group at the last sample; null when not sampled. */
  memory: number | null;
  /** Why the current state was entered. */
  reason: string;
  /** Log lines lost because the log file fell behind. */
  droppedLines: number;
  startedAt: string | null;
  readyAt: string | null;
};

export interface TransitionEvent {
  from: SupervisorState;
  to: SupervisorState;
  reason: string;
  at: string;
  pid: number | null;
  exitCode: number | null;
  signal: string | null;
  /** Error code behind the move (IBGW_PORT_BUSY, IBGW_START_TIMEOUT …), when there is one. */
  code?: string;
  /** Delay before the next attempt (to: 'backoff'). */
  delayMs?: number;
  /** Machine-readable facts of the error (holderPid …). */
  details?: Record<string, unknown>;
}

export interface ExitEvent {
  pid: number;
  code: number | null;
  signal: string | null;
  at: string;
  /** True when the supervisor asked for it (stop, restart, start timeout, memory limit). */
  requested: boolean;
}

export interface ReadyEvent {
  pid: number;
  at: string;
  /** Milliseconds from spawn to the first accepted connection. */
  startupMs: number;
}

export interface SupervisorEvents {
  transition: [TransitionEvent];
  ready: [ReadyEvent];
  exit: [ExitEvent];
  line: [LogLine];
  sample: [ResourceSample];
}

export type { LogLine, ResourceSample, SupervisorState };
