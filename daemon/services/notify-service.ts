import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { ConfigUpdate, Service } from '../lifecycle/service.js';
import { Notifier } from '../notify/index.js';
import type { SecretLookup } from '../notify/secrets.js';
import type { Store } from '../store/store.js';

/**
 * Notifications: every event on the bus goes through the rules; what matches waits in the
 * store's outbox until a channel has it. Started after the store (the outbox lives there).
 */
export class NotifyService implements Service {
  readonly name = 'notifier';
  readonly dependsOn: readonly string[];
  readonly notifier: Notifier;
  readonly #ctx: DaemonContext;
  #unsubscribe: (() => void) | null = null;

  constructor(ctx: DaemonContext, deps: { store: Store; secrets?: SecretLookup; dependsOn?: string[] }) {
    this.#ctx = ctx;
    this.dependsOn = ['store', ...(deps.dependsOn ?? [])];
    this.notifier = new Notifier({
      config: ctx.config().notifications, store: deps.store, secrets: deps.secrets,
      logger: ctx.child('notify'), onEvent: ctx.record,
    });
  }

  async start(): Promise<void> {
    await this.notifier.start();
    this.#unsubscribe = this.#ctx.bus.subscribe((event) => this.notifier.handle(event));
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    await this.notifier.stop();
  }

  async reconfigure({ next }: ConfigUpdate): Promise<void> {
    this.notifier.reconfigure(next.notifications);
  }
}
