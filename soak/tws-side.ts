/**
 * The IB Gateway kind's part of a soak run: its daemon (tws-daemon.ts), the invariants that
 * hold for it as for the main daemon — never two gateway groups for its data dir and none left
 * after it stops, logins within the budget and a rejected password never retried, state files
 * always parse, no secret in its logs, its API never answering an undocumented 5xx (the main
 * checkers' API invariant observes it), /readyz 200 ⇒ a TWS API session works — and the app that
 * uses its gateway the way TWS API applications do.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { outcomeOf, type AppDefinition } from './app-load.js';
import { tailEvents } from './event-tail.js';
import { EventInvariant } from './invariants/event-invariant.js';
import { LoginInvariant } from './invariants/login-invariant.js';
import { ProcessInvariant } from './invariants/process-invariant.js';
import { ReadinessInvariant } from './invariants/readiness-invariant.js';
import { SecretInvariant } from './invariants/secret-invariant.js';
import { StateFileInvariant } from './invariants/state-file-invariant.js';
import { SOAK_TIMINGS } from './soak-config.js';
import { twsSession } from './tws-app.js';
import { TWS_TIMINGS, TwsDaemon } from './tws-daemon.js';
import type { Violations } from './violations.js';

export class TwsSide {
  readonly daemon: TwsDaemon;
  readonly processes: ProcessInvariant;
  readonly logins: LoginInvariant;
  readonly readiness: ReadinessInvariant;
  readonly events: EventInvariant;
  readonly stateFiles: StateFileInvariant;
  readonly secrets: SecretInvariant;
  #timers: NodeJS.Timeout[] = [];

  constructor(runDir: string, violations: Violations) {
    this.daemon = new TwsDaemon(runDir);
    const d = this.daemon;
    mkdirSync(d.logDir, { recursive: true });
    this.processes = new ProcessInvariant(d.dataDir, violations, join(d.dataDir, 'ibgateway'));
    this.logins = new LoginInvariant(d.dataDir, SOAK_TIMINGS.loginBudget, violations);
    // The daemon finds a dead API after hangThreshold unanswered probes, each up to its timeout.
    const t = TWS_TIMINGS;
    this.readiness = new ReadinessInvariant(violations, t.hangThreshold * (t.probeIntervalMs + t.probeTimeoutMs) + 10_000);
    this.events = new EventInvariant(violations);
    this.stateFiles = new StateFileInvariant(d.dataDir, violations);
    // Not the config nor IBC's config.ini: they hold the password by design (0600).
    this.secrets = new SecretInvariant(violations, [d.logDir, join(d.dataDir, 'logs'), join(d.dataDir, 'gateway', 'logs')], [join(d.dataDir, 'state.json'), join(d.dataDir, 'events.jsonl')]);
    this.secrets.add({ name: 'the IB Gateway daemon\'s IBKR password', value: d.identity.password });
    this.secrets.add({ name: 'the IB Gateway daemon\'s ENCRYPTION_KEY', value: d.encryptionKey });
  }

  start(): void {
    this.processes.start(1_500);
    const every = (ms: number, fn: () => void) => this.#timers.push(setInterval(() => { try { fn(); } catch (err) { console.error(`soak: IB Gateway checker failed: ${(err as Error).message}`); } }, ms));
    every(5_000, () => { this.stateFiles.check(); this.logins.check(); });
    every(10_000, () => { this.#learnSecrets(); this.secrets.check(); });
  }

  stop(): void {
    this.processes.stop();
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
  }

  #learnSecrets(): void {
    try {
      this.secrets.add({ name: 'the IB Gateway daemon\'s admin token', value: this.daemon.api.adminToken() });
    } catch {
      // not written yet
    }
  }

  /** Each check once more, after the last step. */
  final(): void {
    this.processes.checkOneGateway();
    this.stateFiles.check();
    this.logins.check();
    this.#learnSecrets();
    this.secrets.check();
    this.secrets.checkFileModes(this.daemon.dataDir);
  }

  /**
   * tws-trader looks at the daemon's /readyz, then runs a TWS API session as an application that
   * trusts it would; tws-auditor tails its event store (no event lost or duplicated there either).
   */
  apps(): AppDefinition[] {
    const d = this.daemon;
    const auditor: AppDefinition = { name: 'tws-auditor', perSecond: 0.5, calls: [tailEvents(d.api, this.events)] };
    const trader: AppDefinition = {
      name: 'tws-trader', perSecond: 0.5, calls: [{
        name: '/readyz + TWS API session',
        run: async () => {
          const ready = await d.api.get('/readyz', { timeoutMs: 5_000 });
          const session = await twsSession(d.port, TWS_TIMINGS.appClientId, d.identity.account);
          if (ready.status === 200 || ready.status === 503) this.readiness.add({ ready: ready.status === 200, brokerageOk: session.ok, reason: session.reason });
          if (session.ok) return { ok: true };
          const readyz = outcomeOf(ready, (r) => r.status === 503);
          return { ok: false, reason: `${ready.status === 200 ? 'ready' : readyz.ok ? 'not ready' : `readyz ${readyz.reason}`}, TWS API ${session.reason?.replace(/\d+ ms/, 'N ms').slice(0, 80)}` };
        },
      }],
    };
    return [trader, auditor];
  }
}
