import type { ConfigChange } from '../config/diff.js';
import type { Config } from '../config/types.js';
import { ConfigWatcher } from '../config/watch.js';
import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { Service } from '../lifecycle/service.js';

/**
 * Hot reload of the user's config file (none when running on the embedded default). A valid
 * edit becomes the current config and goes to the onChange listeners; main.ts hands it to the
 * registry, which routes each key to its owner.
 */
export class ConfigWatchService implements Service {
  readonly name = 'config-watch';
  readonly dependsOn = [];
  readonly #ctx: DaemonContext;
  readonly #listeners: Array<(next: Config, change: ConfigChange) => Promise<void>> = [];
  #watcher: ConfigWatcher | null = null;

  constructor(ctx: DaemonContext) {
    this.#ctx = ctx;
  }

  /** Where the config came from and whether the last edit was refused. */
  status(): Record<string, unknown> {
    return { file: this.#ctx.file, ...(this.#watcher ? this.#watcher.status() : {}) };
  }

  /** Listeners run one after another and are awaited, so edits apply in order. */
  onChange(listener: (next: Config, change: ConfigChange) => Promise<void>): void {
    this.#listeners.push(listener);
  }

  async start(): Promise<void> {
    const file = this.#ctx.file;
    if (!file) return;
    this.#watcher = new ConfigWatcher({
      file, env: this.#ctx.env, cwd: this.#ctx.cwd, initial: this.#ctx.config(), onEvent: this.#ctx.record,
      onChange: async (next, change) => {
        this.#ctx.setConfig(next);
        for (const listener of this.#listeners) await listener(next, change);
      },
    });
    await this.#watcher.start();
  }

  async stop(): Promise<void> {
    await this.#watcher?.close();
    this.#watcher = null;
  }
}
