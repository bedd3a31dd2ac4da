import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { Service } from '../lifecycle/service.js';
import type { Supervisor } from '../supervisor/index.js';

/**
 * Starts the gateway once everything that watches it is up (session keeper, API), when
 * gateway.autoStart says so. Last in the list; stopping it does nothing (the supervisor
 * service stops the gateway).
 */
export class AutostartService implements Service {
  readonly name = 'autostart';
  readonly dependsOn: readonly string[];
  readonly #ctx: DaemonContext;
  readonly #supervisor: Supervisor;

  constructor(ctx: DaemonContext, supervisor: Supervisor, dependsOn: string[]) {
    this.#ctx = ctx;
    this.#supervisor = supervisor;
    this.dependsOn = dependsOn;
  }

  async start(): Promise<void> {
    if (!this.#ctx.config().gateway.autoStart) return;
    // Not awaited: a gateway that fails to start is the supervisor's to retry, not a daemon start failure.
    void this.#supervisor.start('daemon start').catch((err: Error) => this.#ctx.logger.error({ err }, 'gateway start failed'));
  }

  async stop(): Promise<void> {}
}
