/**
 * The one contract every capability of the daemon has, so that a new capability is a new entry
 * in main.ts's list rather than new wiring: a name, what it needs started first, a start, a
 * bounded stop, and how it takes a change to the config keys it owns (config/owners.ts).
 */
import type { Config } from '../config/types.js';

export interface ConfigUpdate {
  /** The new config, already validated. */
  next: Config;
  /** Dotted paths that changed and that this service owns. */
  paths: string[];
}

export interface Service {
  /** Unique; used in dependsOn, in the owners table and in error messages. */
  readonly name: string;
  /** Started before this service and stopped after it. */
  readonly dependsOn: readonly string[];
  start(): Promise<void>;
  /** Idempotent. The registry bounds it (stopTimeoutMs) and carries on when it throws. */
  stop(reason: string): Promise<void>;
  /** Longest a stop may take; the registry's default when absent. */
  stopTimeoutMs?(): number;
  /** Applies a change to the keys this service owns: live, or by rebuilding what it holds. */
  reconfigure?(update: ConfigUpdate): Promise<void>;
}
