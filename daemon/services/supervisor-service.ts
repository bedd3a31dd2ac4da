import type { Config } from '../config/types.js';
import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { ConfigUpdate, Service } from '../lifecycle/service.js';
import type { Store } from '../store/store.js';
import { isActive, Supervisor } from '../supervisor/index.js';
import type { GatewayService } from './gateway-service.js';

/** The supervisor's settings that a config edit can change while it runs. */
function timings(config: Config) {
  const { startTimeoutMs, stopGraceMs, readyProbeIntervalMs, restart, resources } = config.gateway;
  return { startTimeoutMs, stopGraceMs, readyProbeIntervalMs, restart, resources };
}

/**
 * The gateway's process group. Starts by cleaning up what a previous daemon left (reconcile);
 * stops by emptying the group. Planned restarts asked for by config, TLS or access changes
 * never start a gateway an operator stopped (or clear fatal): they apply at the next start.
 */
export class SupervisorService implements Service {
  readonly name = 'supervisor';
  readonly dependsOn = ['store', 'gateway'];
  readonly supervisor: Supervisor;
  readonly #ctx: DaemonContext;
  readonly #store: Store;
  /** The all-time count held by the store when this daemon started; read once the store is open. */
  #restartsBefore = 0;

  constructor(ctx: DaemonContext, deps: { store: Store; gateway: GatewayService }) {
    this.#ctx = ctx;
    this.#store = deps.store;
    const config = ctx.config();
    const { gateway, store } = deps;
    this.supervisor = new Supervisor({
      ...timings(config),
      dataDir: config.dataDir,
      logs: config.gateway.logs,
      launch: () => gateway.current().launch(),
      redactLine: (line: string) => gateway.redactLine(line),
      onEvent: ctx.record,
      logger: ctx.child('supervisor'),
    });
    gateway.on('restart-needed', (reason) => this.plannedRestart(reason));
    this.supervisor.on('ready', () => gateway.forgetRetired());
    this.supervisor.on('transition', (t) => {
      store.updateGateway({ lastState: t.to, lastTransitionAt: t.at, restarts: this.#restartsBefore + this.supervisor.status().restartsSinceStart });
      if (t.exitCode !== null || t.signal !== null) store.updateGateway({ lastExit: { code: t.exitCode, signal: t.signal, at: t.at, reason: t.reason } });
    });
  }

  plannedRestart(reason: string): void {
    const state = this.supervisor.status().state;
    if (!isActive(state)) {
      this.#ctx.record({ type: 'gateway.restart-deferred', level: 'info', message: `${reason}: applies at the next start (gateway is ${state})`, data: { reason } });
      return;
    }
    void this.supervisor.restart(reason).catch((err: Error) => this.#ctx.logger.error({ err }, 'planned restart failed'));
  }

  async start(): Promise<void> {
    this.#restartsBefore = this.#store.data.gateway.restarts;
    // What it kills is reported as gateway.reconcile events.
    await this.supervisor.reconcile();
  }

  async stop(): Promise<void> {
    await this.supervisor.close();
  }

  stopTimeoutMs(): number {
    // TERM, the grace, KILL, and the check that the group is empty.
    return this.#ctx.config().gateway.stopGraceMs + 5000;
  }

  async reconfigure({ next }: ConfigUpdate): Promise<void> {
    this.supervisor.reconfigure(timings(next));
  }
}
