/**
 * The daemon's configuration, after defaults are merged and paths resolved.
 * The JSON schema in schema.ts is the source of truth for names, types and ranges;
 * keep the two in step (a test compares them against config/default.yaml).
 */
import type { SimulatorSettings } from '../../scripts/sim/simulator-settings.js';

export type GatewayKind = 'simulated' | 'clientportal' | 'command';

export interface BackoffConfig {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** 0..1: each delay is multiplied by a random factor in [1 - jitter, 1 + jitter]. */
  jitter: number;
}

export interface GatewayConfig {
  kind: GatewayKind;
  /** argv; when set it replaces the launch the kind would build (a user's own wrapper). */
  command: string[] | null;
  /** Working directory of the launch; null = what the kind chooses (gateway home / data dir). */
  cwd: string | null;
  /** Port the gateway listens on: readiness probe, port-free check, base URL. */
  port: number;
  /** Host the daemon uses to reach the gateway. */
  host: string;
  /** Folder of a real clientportal.gw distribution (kind clientportal). */
  home: string | null;
  /** Extra environment for the gateway process. */
  env: Record<string, string>;
  autoStart: boolean;
  startTimeoutMs: number;
  stopGraceMs: number;
  readyProbeIntervalMs: number;
  restart: {
    backoff: BackoffConfig;
    /** Uptime after which the backoff starts over. */
    stableAfterMs: number;
    /** More than maxRestarts automatic restarts within windowMs → fatal. */
    maxRestarts: number;
    windowMs: number;
  };
  resources: {
    sampleIntervalMs: number;
    /** RSS of the whole group above this → planned restart; null = no limit. */
    memoryLimitMb: number | null;
  };
  logs: {
    ringLines: number;
    maxFileBytes: number;
    maxFiles: number;
  };
  /** Settings handed to the simulated gateway (kind simulated only); the simulator owns their schema. */
  simulator: SimulatorSettings;
}

export interface ApiConfig {
  host: string;
  port: number;
  /** Failed bearer-token checks per client address before a lockout. */
  authMaxFailures: number;
  authFailureWindowMs: number;
  authLockoutMs: number;
}

export interface ConfFileConfig {
  /** Template conf.yaml; null = the gateway's own root/conf.yaml (clientportal) or the bundled copy (simulated). */
  template: string | null;
  /** What to do when someone edits the managed conf.yaml by hand. */
  driftPolicy: 'adopt' | 'restore';
  /** Previous versions kept for rollback. */
  keepVersions: number;
}

export interface TlsConfig {
  /** generate: a local CA + server cert made by the daemon; import: a user's files; gateway: leave sslCert/sslPwd as the template has them. */
  mode: 'generate' | 'import' | 'gateway';
  /** Extra DNS names / IPs the server certificate must cover besides localhost and 127.0.0.1. */
  hosts: string[];
  validityDays: number;
  /** Renew this many days before expiry. */
  renewBeforeDays: number;
  /** For mode import: PEM cert + key, or a PKCS#12 file with its password. */
  import: { cert: string | null; key: string | null; pfx: string | null; passphrase: string | null };
}

export interface AccessConfig {
  /** Address the daemon's own probes come from; kept allowed unless a change says force. */
  probeAddress: string;
}

export interface SessionConfig {
  enabled: boolean;
  tickleIntervalMs: number;
  requestTimeoutMs: number;
  /** Consecutive timed-out probes while the process lives → planned restart. */
  hangThreshold: number;
  /** Probe of the gateway's own web server (answered without IBKR) between tickles; 0 = off. */
  livenessIntervalMs: number;
  livenessTimeoutMs: number;
  /** After an unanswered probe the next follows this soon. */
  suspectProbeMs: number;
  /** A login may wait for 2FA (IBKR's window is 180 s). */
  loginTimeoutMs: number;
  reauthTimeoutMs: number;
  reauthPollMs: number;
  /** Failed recoveries in a row before logout + gateway restart. */
  maxRecoveryAttempts: number;
  recoveryBackoff: BackoffConfig;
  loginBudget: { perDay: number; perHour: number };
  competing: 'takeover' | 'wait' | 'report';
  penaltyBoxMs: number;
  /** IBKR's own daily resets and weekend maintenance, in local time of each region. */
  resets: {
    region: 'north-america' | 'europe' | 'asia';
    daily: { start: string; durationMin: number; timeZone: string } | null;
    weekly: { day: number; start: string; durationMin: number; timeZone: string } | null;
  };
}

export interface LoggingConfig {
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export interface StoreConfig {
  /** Events kept; older ones are dropped (bounded retention). */
  maxEvents: number;
}

export interface Config {
  dataDir: string;
  api: ApiConfig;
  gateway: GatewayConfig;
  conf: ConfFileConfig;
  tls: TlsConfig;
  access: AccessConfig;
  session: SessionConfig;
  logging: LoggingConfig;
  store: StoreConfig;
}

/** A config together with where it came from, for error messages and the watcher. */
export interface LoadedConfig {
  config: Config;
  /** User file, or null when running on the embedded default. */
  file: string | null;
}
