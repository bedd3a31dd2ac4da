import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { Service } from '../lifecycle/service.js';
import { Store } from '../store/store.js';

/**
 * The lowdb store: opened before anything reports, closed last. It records every event on
 * the bus, and writes the daemon's closing record itself, so `daemon.stopped` is the last
 * event of a clean stop.
 */
export class StoreService implements Service {
  readonly name = 'store';
  readonly dependsOn = ['daemon'];
  readonly store: Store;
  readonly #ctx: DaemonContext;
  #unsubscribe: (() => void) | null = null;

  constructor(ctx: DaemonContext) {
    this.#ctx = ctx;
    const config = ctx.config();
    this.store = new Store({ dataDir: config.dataDir, maxEvents: config.store.maxEvents });
    this.store.on('write-failed', (err: Error) => ctx.logger.error({ err }, 'state file write failed'));
  }

  async start(): Promise<void> {
    await this.store.open();
    this.#unsubscribe = this.#ctx.bus.subscribe((event) => { this.store.record(event); });
  }

  async stop(reason = 'stopped'): Promise<void> {
    if (!this.#unsubscribe) return;
    this.#ctx.record({ type: 'daemon.stopped', level: 'info', message: `daemon stopped: ${reason}` });
    this.#unsubscribe();
    this.#unsubscribe = null;
    await this.store.close();
  }
}
