/**
 * The daemon's config for the soak: the shipped defaults, except where a soak of 200 faults in
 * 30 minutes needs a faster pace or a capability switched on. Each difference says why; none
 * changes what is checked, only how soon it happens. docs: soak/README.md.
 */
import { stringify } from 'yaml';

export interface SoakPorts {
  api: number;
  gateway: number;
  receiver: number;
}

export interface SoakIdentity {
  username: string;
  password: string;
  account: string;
}

export const WEBHOOK_SECRET_NAME = 'soak-webhook';
/** The rule every `gateway.transition → running` turns into exactly one notification (dedupe off). */
export const RUNNING_RULE = 'soak-gateway-running';

/** Timings the checkers and recovery bounds are derived from. */
export const SOAK_TIMINGS = {
  tickleIntervalMs: 10_000,
  requestTimeoutMs: 5_000,
  livenessIntervalMs: 5_000,
  stopGraceMs: 2_000,
  backoffMaxMs: 5_000,
  memoryLimitMb: 200,
  resourceSampleMs: 2_000,
  simPenaltyMs: 15_000,
  sessionPenaltyMs: 20_000,
  notifyBackoffMaxMs: 5_000,
  loginBudget: { perDay: 5_000, perHour: 500 },
} as const;

export function daemonConfig(dataDir: string, ports: SoakPorts, who: SoakIdentity): Record<string, any> {
  const t = SOAK_TIMINGS;
  return {
    dataDir,
    api: { port: ports.api },
    gateway: {
      port: ports.gateway,
      // Planned restarts (config, TLS, allow list, memory) every few seconds: a shorter grace.
      stopGraceMs: t.stopGraceMs,
      restart: {
        // Crash faults come every few seconds: the default 30 s cap and 10-in-10-min fatal
        // would turn the soak into a wait. The curve and the fatal rule are tested elsewhere.
        backoff: { initialMs: 500, maxMs: t.backoffMaxMs, factor: 2, jitter: 0.2 },
        stableAfterMs: 20_000,
        maxRestarts: 1_000,
      },
      // The memory-growth fault needs a limit to cross.
      resources: { sampleIntervalMs: t.resourceSampleMs, memoryLimitMb: t.memoryLimitMb },
      simulator: {
        users: [{ username: who.username, password: who.password, accounts: [who.account], paper: true, twoFactor: 'none' }],
        // The 429-storm fault: a 15 s penalty box instead of IBKR's 10 min.
        penaltyMs: t.simPenaltyMs,
        // The soak brings the daily reset itself, inside a daemon window it sets (fault daily-reset).
        dailyReset: null,
      },
    },
    session: {
      // Session faults are found at the next tickle: 10 s instead of 60 s.
      tickleIntervalMs: t.tickleIntervalMs,
      requestTimeoutMs: t.requestTimeoutMs,
      livenessIntervalMs: t.livenessIntervalMs,
      // The competing-session fault is recovered by the daemon, not by a person.
      competing: 'takeover',
      penaltyBoxMs: t.sessionPenaltyMs,
      // Most faults end in a new login: hundreds per run. The budget is still checked.
      loginBudget: t.loginBudget,
      // No IBKR reset window unless a daily-reset fault opens one: a run across 23:45 New York
      // time must not see every recovery suspended.
      resets: { daily: null, weekly: null },
    },
    notifications: {
      channels: [{ name: 'soak', type: 'webhook', url: `http://127.0.0.1:${ports.receiver}/hook`, format: 'json', secret: { vault: WEBHOOK_SECRET_NAME } }],
      rules: [
        { name: RUNNING_RULE, events: ['gateway.transition'], where: { to: 'running' }, dedupeMinutes: 0 },
        { preset: 'unclean-start' },
        { preset: 'gateway-crash-loop' },
        { preset: 'session-needs-login', forMinutes: 1 },
      ],
      timeoutMs: 5_000,
      // The receiver-down fault: retried until it is back (never given up), at most 5 s apart.
      retry: { maxAttempts: 1_000, backoff: { initialMs: 500, maxMs: t.notifyBackoffMaxMs, factor: 2, jitter: 0.2 } },
    },
  };
}

export function toYaml(config: Record<string, unknown>): string {
  return `# written by the soak run (soak/soak-config.ts)\n${stringify(config)}`;
}
