import { mkdirSync } from 'node:fs';
import { acquireDaemonLock } from '../daemon-lock.js';
import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { ConfigUpdate, Service } from '../lifecycle/service.js';

/**
 * The data dir and the one-daemon-per-data-dir lock; first to start, last to stop. Also owns
 * the log level, which a config edit changes in place.
 */
export class DaemonDirService implements Service {
  readonly name = 'daemon';
  readonly dependsOn = [];
  readonly #ctx: DaemonContext;
  #release: (() => void) | null = null;

  constructor(ctx: DaemonContext) {
    this.#ctx = ctx;
  }

  async start(): Promise<void> {
    const { dataDir } = this.#ctx.config();
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.#release = acquireDaemonLock(dataDir);
  }

  async stop(): Promise<void> {
    this.#release?.();
    this.#release = null;
  }

  async reconfigure({ next }: ConfigUpdate): Promise<void> {
    this.#ctx.logger.level = next.logging.level;
  }
}
