/**
 * The invariants, built together and run on their own paces beside the apps and the injector:
 * the process scan every 1.5 s, state files and the login budget every 5 s, the log grep every
 * 10 s, RSS and fds every 5 s. `final()` runs each once more after the last step.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SoakEnvironment } from './environment.js';
import { ApiInvariant } from './invariants/api-invariant.js';
import { EventInvariant } from './invariants/event-invariant.js';
import { LoginInvariant } from './invariants/login-invariant.js';
import { NotificationInvariant } from './invariants/notification-invariant.js';
import { ProcessInvariant } from './invariants/process-invariant.js';
import { ReadinessInvariant } from './invariants/readiness-invariant.js';
import { ResourceMonitor } from './invariants/resource-monitor.js';
import { SecretInvariant } from './invariants/secret-invariant.js';
import { StateFileInvariant } from './invariants/state-file-invariant.js';
import { SOAK_TIMINGS } from './soak-config.js';
import type { Violations } from './violations.js';

export class Checkers {
  readonly api: ApiInvariant;
  readonly processes: ProcessInvariant;
  readonly readiness: ReadinessInvariant;
  readonly events: EventInvariant;
  readonly notifications: NotificationInvariant;
  readonly logins: LoginInvariant;
  readonly secrets: SecretInvariant;
  readonly stateFiles: StateFileInvariant;
  readonly resources: ResourceMonitor;
  readonly #env: SoakEnvironment;
  #timers: NodeJS.Timeout[] = [];

  constructor(env: SoakEnvironment, violations: Violations, startedAt: number) {
    this.#env = env;
    const t = SOAK_TIMINGS;
    this.api = new ApiInvariant(violations);
    env.api.observe(this.api.observe);
    this.processes = new ProcessInvariant(env.dataDir, violations);
    // The daemon finds a lost session at its next tickle; its answer may take a request timeout.
    this.readiness = new ReadinessInvariant(violations, t.tickleIntervalMs + 2 * t.requestTimeoutMs + 10_000);
    this.events = new EventInvariant(violations);
    this.notifications = new NotificationInvariant(env.api, env.receiver, violations, () => this.events.daemonStarts);
    this.logins = new LoginInvariant(env.dataDir, t.loginBudget, violations);
    this.secrets = new SecretInvariant(violations, [env.pm2.logDir, env.pm2.home, join(env.dataDir, 'logs'), join(env.dataDir, 'gateway', 'logs')], [join(env.dataDir, 'state.json'), join(env.dataDir, 'events.jsonl')]);
    this.secrets.add({ name: 'the IBKR password', value: env.secrets.ibkrPassword });
    this.secrets.add({ name: 'ENCRYPTION_KEY', value: env.secrets.encryptionKey });
    this.secrets.add({ name: 'the webhook signing secret', value: env.secrets.webhookSecret });
    this.stateFiles = new StateFileInvariant(env.dataDir, violations);
    this.resources = new ResourceMonitor(env.dataDir, startedAt, { warmupMs: 4 * 60_000, longMs: 4 * 60_000, floorWindowMs: 2 * 60_000, heapFloorWindowMs: 5 * 60_000 }, () => heapKeptMb(env.api));
  }

  /** Secrets known only once the daemon ran: its admin token, the gateway keystore's password. */
  #learnSecrets(): void {
    try {
      this.secrets.add({ name: 'the admin token', value: this.#env.api.adminToken() });
    } catch {
      // not written yet
    }
    try {
      const conf = readFileSync(join(this.#env.dataDir, 'gateway', 'root', 'conf.yaml'), 'utf8');
      const pwd = /sslPwd:\s*"?([^"\n]+)"?/.exec(conf)?.[1]?.trim();
      // The gateway's own start log prints its conf, sslPwd included (as the real one does).
      if (pwd) this.secrets.add({ name: 'the gateway keystore password', value: pwd, allowedIn: (p) => p.includes('/gateway/logs/') });
    } catch {
      // not rendered yet
    }
  }

  start(): void {
    this.processes.start(1_500);
    this.resources.start(5_000);
    const every = (ms: number, fn: () => void) => this.#timers.push(setInterval(() => { try { fn(); } catch (err) { console.error(`soak: checker failed: ${(err as Error).message}`); } }, ms));
    every(5_000, () => { this.stateFiles.check(); this.logins.check(); });
    every(10_000, () => { this.#learnSecrets(); this.secrets.check(); });
  }

  stop(): void {
    this.processes.stop();
    this.resources.stop();
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
  }

  /** Each check once more, after the last step and the outbox drain. */
  final(): void {
    this.processes.checkOneGateway();
    this.stateFiles.check();
    this.logins.check();
    this.#learnSecrets();
    this.secrets.check();
    this.secrets.checkFileModes(this.#env.dataDir);
    this.notifications.checkAccounting(this.events.runningTransitions);
  }
}

/** The V8 heap the daemon kept after its last full collection, from its /metrics (null while it does not answer, or before that collection). */
async function heapKeptMb(api: SoakEnvironment['api']): Promise<number | null> {
  const r = await api.get('/metrics', { admin: true, timeoutMs: 5_000 });
  const bytes = r.status === 200 ? /^ibgw_daemon_heap_live_bytes (\S+)$/m.exec(r.text)?.[1] : undefined;
  return bytes === undefined ? null : Number(bytes) / 1048576;
}
