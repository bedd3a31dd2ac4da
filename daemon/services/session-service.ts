import type { Config } from '../config/types.js';
import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { Service } from '../lifecycle/service.js';
import type { CallPacer } from '../ibkr/pacer.js';
import type { MaintenanceCalendar } from '../maintenance/index.js';
import type { VaultService } from '../vault/vault-service.js';
import type { GatewayService } from './gateway-service.js';
import type { LoginLifecycle } from './login-lifecycle.js';
import { buildKeeper, type Keeper } from './session-keepers.js';
import type { SupervisorService } from './supervisor-service.js';

interface SessionDeps {
  gateway: GatewayService;
  login: LoginLifecycle;
  vault: VaultService;
  supervisor: SupervisorService;
  calendar: MaintenanceCalendar;
  /** The pass-through's pacer: the keeper's calls count against the same IBKR budget. */
  pacer?: CallPacer;
}

/**
 * The IBKR session keeper, fed by the supervisor's ready/exit. A change to session.* rebuilds
 * it; its login budget and history live in files and carry over. Null while
 * session.enabled is false.
 */
export class SessionService implements Service {
  readonly name = 'session';
  readonly dependsOn = ['supervisor', 'gateway', 'calendar', 'vault', 'login'];
  readonly #ctx: DaemonContext;
  readonly #deps: SessionDeps;
  #keeper: Keeper | null = null;

  constructor(ctx: DaemonContext, deps: SessionDeps) {
    this.#ctx = ctx;
    this.#deps = deps;
    const { supervisor } = deps.supervisor;
    supervisor.on('ready', () => this.#keeper?.onGatewayReady());
    supervisor.on('exit', (e) => this.#keeper?.onGatewayDown(e));
    // IBC's log lines (login failed, second factor timed out, existing session) are session news.
    supervisor.on('line', (l) => { if (this.#keeper && 'onGatewayLine' in this.#keeper) this.#keeper.onGatewayLine(l.text); });
    // New credentials end a rejected-password block: the next login uses them.
    deps.vault.on('credentials-changed', (change) => {
      if (change.action !== 'cleared') void this.#keeper?.clearLoginBlock();
    });
  }

  keeper(): Keeper | null {
    return this.#keeper;
  }

  /** The IB Gateway kinds count every start as a login: the keeper admits it against the budget. */
  async admitLogin(): Promise<void> {
    if (this.#keeper && 'admitLogin' in this.#keeper) await this.#keeper.admitLogin();
  }

  #build(config: Config): Keeper | null {
    if (!config.session.enabled) return null;
    return buildKeeper(this.#ctx, config, { gateway: this.#deps.gateway, login: this.#deps.login, supervisor: this.#deps.supervisor.supervisor, calendar: this.#deps.calendar, pacer: this.#deps.pacer });
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
