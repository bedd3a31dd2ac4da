import { join } from 'node:path';
import type { Config } from '../config/types.js';
import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { Service } from '../lifecycle/service.js';
import type { MaintenanceCalendar } from '../maintenance/index.js';
import type { VaultService } from '../vault/vault-service.js';
import { SessionKeeper } from '../session/index.js';
import { isUp } from '../supervisor/index.js';
import type { GatewayService } from './gateway-service.js';
import type { SupervisorService } from './supervisor-service.js';

interface SessionDeps {
  gateway: GatewayService;
  vault: VaultService;
  supervisor: SupervisorService;
  calendar: MaintenanceCalendar;
}

/**
 * The IBKR session keeper, fed by the supervisor's ready/exit. A change to session.* rebuilds
 * it; its login budget and history live in files and carry over. Null while
 * session.enabled is false.
 */
export class SessionService implements Service {
  readonly name = 'session';
  readonly dependsOn = ['supervisor', 'gateway', 'calendar', 'vault'];
  readonly #ctx: DaemonContext;
  readonly #deps: SessionDeps;
  #keeper: SessionKeeper | null = null;

  constructor(ctx: DaemonContext, deps: SessionDeps) {
    this.#ctx = ctx;
    this.#deps = deps;
    const { supervisor } = deps.supervisor;
    supervisor.on('ready', () => this.#keeper?.onGatewayReady());
    supervisor.on('exit', () => this.#keeper?.onGatewayDown());
    // New credentials end a rejected-password block: the next login uses them.
    deps.vault.on('credentials-changed', (change) => {
      if (change.action !== 'cleared') void this.#keeper?.clearLoginBlock();
    });
  }

  keeper(): SessionKeeper | null {
    return this.#keeper;
  }

  #build(config: Config): SessionKeeper | null {
    if (!config.session.enabled) return null;
    const { supervisor } = this.#deps.supervisor;
    const gateway = () => this.#deps.gateway.current();
    return new SessionKeeper({
      config: config.session,
      baseUrl: () => gateway().baseUrl(),
      ca: () => gateway().ca(),
      gateway: {
        isRunning: () => isUp(supervisor.status().state),
        isReady: () => supervisor.status().state === 'running',
        restart: (reason: string) => supervisor.restart(reason).then(() => undefined),
      },
      calendar: this.#deps.calendar,
      budgetPath: join(config.dataDir, 'login-budget.json'),
      historyPath: join(config.dataDir, 'session-history.json'),
      onEvent: this.#ctx.record,
      logger: this.#ctx.child('session'),
    });
  }

  async start(): Promise<void> {
    this.#keeper = this.#build(this.#ctx.config());
    this.#keeper?.start();
    // The gateway may already be up (a rebuild, or a start that won the race).
    if (this.#keeper && this.#deps.supervisor.supervisor.status().state === 'running') this.#keeper.onGatewayReady();
  }

  async stop(): Promise<void> {
    const keeper = this.#keeper;
    this.#keeper = null;
    await keeper?.stop();
  }

  async reconfigure(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
