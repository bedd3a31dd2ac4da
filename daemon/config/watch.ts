import { watch, type FSWatcher } from 'chokidar';
import type { EventSink } from '../events.js';
import { ignoreEvents } from '../events.js';
import { ERR_CONFIG_INVALID, isIbgwError } from '../errors.js';
import { classifyChange, type ConfigChange } from './diff.js';
import { loadConfig, type LoadOptions } from './load.js';
import type { Config } from './types.js';

export interface ConfigWatcherOptions extends LoadOptions {
  file: string;
  initial: Config;
  /** Called with each valid config that differs from the last good one. */
  onChange: (next: Config, change: ConfigChange) => void | Promise<void>;
  onEvent?: EventSink;
  /** chokidar waits for the size to settle this long, so a half-written file is not read. */
  stabilityMs?: number;
}

export interface ConfigWatcherStatus {
  file: string;
  lastGoodAt: string;
  /** The error of the latest edit when it was refused; cleared by the next valid edit. */
  error: { code: string; message: string; key?: unknown; at: string } | null;
}

/**
 * Watches the user's config file. A valid edit replaces the last good config; an invalid one
 * is refused with an event and shown in status, and the daemon keeps running on the last good
 * config: a typo while the market is open must not take the gateway down.
 */
export class ConfigWatcher {
  #options: ConfigWatcherOptions;
  #current: Config;
  #watcher: FSWatcher | null = null;
  #status: ConfigWatcherStatus;
  #queue: Promise<void> = Promise.resolve();

  constructor(options: ConfigWatcherOptions) {
    this.#options = options;
    this.#current = options.initial;
    this.#status = { file: options.file, lastGoodAt: new Date().toISOString(), error: null };
  }

  get current(): Config {
    return this.#current;
  }

  status(): ConfigWatcherStatus {
    return structuredClone(this.#status);
  }

  async start(): Promise<void> {
    const stability = this.#options.stabilityMs ?? 200;
    this.#watcher = watch(this.#options.file, {
      ignoreInitial: true,
      // Editors save by rename; watching the path (not the inode) and waiting for writes to settle covers both.
      awaitWriteFinish: { stabilityThreshold: stability, pollInterval: Math.max(20, Math.floor(stability / 4)) },
    });
    const reload = () => {
      // A failure while applying one edit must neither crash the daemon nor block later edits.
      this.#queue = this.#queue.then(() => this.reload()).catch((err: Error) => {
        (this.#options.onEvent ?? ignoreEvents)({ type: 'config.apply-failed', level: 'error', message: `applying the config edit failed: ${err.message}`, data: { file: this.#options.file } });
      });
    };
    this.#watcher.on('change', reload).on('add', reload);
    await new Promise<void>((resolve) => this.#watcher!.once('ready', () => resolve()));
  }

  /** Re-read the file now (also what the watcher calls). */
  async reload(): Promise<void> {
    const sink = this.#options.onEvent ?? ignoreEvents;
    let next: Config;
    try {
      next = loadConfig(this.#options).config;
    } catch (err) {
      const code = isIbgwError(err) ? err.code : ERR_CONFIG_INVALID.code;
      const message = err instanceof Error ? err.message : String(err);
      const key = isIbgwError(err) ? err.details?.key : undefined;
      this.#status.error = { code, message, key, at: new Date().toISOString() };
      sink({ type: 'config.invalid', level: 'error', message: `config edit refused, keeping the last good config: ${message}`, data: { code, key, file: this.#options.file } });
      return;
    }
    this.#status.error = null;
    const change = classifyChange(this.#current, next);
    if (change.paths.length === 0) return;
    this.#current = next;
    this.#status.lastGoodAt = new Date().toISOString();
    sink({ type: 'config.applied', level: 'info', message: `config changed (${change.effect}): ${change.paths.join(', ')}`, data: { paths: change.paths, effect: change.effect } });
    await this.#options.onChange(next, change);
  }

  async close(): Promise<void> {
    await this.#queue;
    await this.#watcher?.close();
    this.#watcher = null;
  }
}
