import type { Config, LoadedConfig } from '../config/types.js';
import { EventBus } from '../event-bus.js';
import type { EventSink } from '../events.js';
import type { Logger } from '../logger.js';

/**
 * What every service of the daemon is built with: the current config (replaced by valid
 * edits), the logger, and the event bus services report to.
 */
export class DaemonContext {
  readonly file: string | null;
  readonly logger: Logger;
  readonly bus = new EventBus();
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly startedAt = Date.now();
  #config: Config;

  constructor(loaded: LoadedConfig, logger: Logger, options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
    this.file = loaded.file;
    this.#config = loaded.config;
    this.logger = logger;
    this.env = options.env ?? process.env;
    this.cwd = options.cwd ?? process.cwd();
    // Every event is logged once, here; services report events and do not log them again.
    this.bus.subscribe((event) => logger[event.level]({ event: event.type, ...event.data }, event.message));
  }

  config(): Config {
    return this.#config;
  }

  /** Called by the config watcher with a validated config, before the change is routed. */
  setConfig(next: Config): void {
    this.#config = next;
  }

  get record(): EventSink {
    return this.bus.emit;
  }

  child(component: string): Logger {
    return this.logger.child({ component });
  }
}
