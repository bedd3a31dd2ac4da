import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { Service } from '../lifecycle/service.js';
import type { Store } from '../store/store.js';
import type { Supervisor } from '../supervisor/index.js';

/**
 * The end of the daemon's start, last in the list: says how the previous run ended (an
 * unclean stop is worth a notification, and the notifier is listening by now) and starts the
 * gateway when gateway.autoStart says so and no `stop` maintenance window holds it, once everything that watches it is up. Stopping it
 * does nothing: the supervisor service stops the gateway.
 */
export class StartupService implements Service {
  readonly name = 'startup';
  readonly dependsOn: readonly string[];
  readonly #ctx: DaemonContext;
  readonly #supervisor: Supervisor;
  readonly #store: Store;

  readonly #gatewayShouldRun: () => boolean;

  constructor(ctx: DaemonContext, deps: { supervisor: Supervisor; store: Store; gatewayShouldRun: () => boolean; dependsOn: string[] }) {
    this.#ctx = ctx;
    this.#supervisor = deps.supervisor;
    this.#store = deps.store;
    this.#gatewayShouldRun = deps.gatewayShouldRun;
    this.dependsOn = deps.dependsOn;
  }

  async start(): Promise<void> {
    if (this.#store.previousRun === 'unclean') {
      this.#ctx.record({ type: 'daemon.unclean-start', level: 'warn', message: 'the previous daemon run did not stop cleanly (killed, crashed or power lost); leftovers were reconciled', data: { pid: process.pid } });
    }
    this.#ctx.record({ type: 'daemon.started', level: 'info', message: `daemon ${process.pid} started`, data: { pid: process.pid, previousRun: this.#store.previousRun } });
    if (!this.#ctx.config().gateway.autoStart) return;
    if (!this.#gatewayShouldRun()) {
      this.#ctx.record({ type: 'gateway.autostart-held', level: 'info', message: 'gateway not started: a maintenance window keeps it stopped until the window ends' });
      return;
    }
    // Not awaited: a gateway that fails to start is the supervisor's to retry, not a daemon start failure.
    void this.#supervisor.start('daemon start').catch((err: Error) => this.#ctx.logger.error({ err }, 'gateway start failed'));
  }

  async stop(): Promise<void> {}
}
