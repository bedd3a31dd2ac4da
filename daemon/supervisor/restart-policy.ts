/**
 * The sliding-window limit on automatic restarts: more than `maxRestarts` within `windowMs`
 * means the gateway cannot start on its own (bad config, broken install, locked account),
 * and retrying forever only hides that — pm2 and the IBKR Watchdog both restart endlessly.
 * Planned restarts (operator, memory limit, session recovery) are not counted.
 */
export interface RestartPolicyOptions {
  maxRestarts: number;
  windowMs: number;
  now?: () => number;
}

export class RestartPolicy {
  #max: number;
  #windowMs: number;
  readonly #now: () => number;
  #times: number[] = [];

  constructor(options: RestartPolicyOptions) {
    this.#max = options.maxRestarts;
    this.#windowMs = options.windowMs;
    this.#now = options.now ?? Date.now;
  }

  /** Automatic restarts counted inside the current window. */
  get count(): number {
    this.#prune();
    return this.#times.length;
  }

  /**
   * Ask for one more automatic restart. Returns false — and records nothing — when it would
   * be restart number maxRestarts + 1 inside the window.
   */
  tryRestart(): boolean {
    this.#prune();
    if (this.#times.length >= this.#max) return false;
    this.#times.push(this.#now());
    return true;
  }

  /** A config edit: the restarts already counted stay counted under the new limits. */
  configure(limits: { maxRestarts: number; windowMs: number }): void {
    this.#max = limits.maxRestarts;
    this.#windowMs = limits.windowMs;
  }

  /** An operator start forgives the past. */
  clear(): void {
    this.#times = [];
  }

  #prune(): void {
    const from = this.#now() - this.#windowMs;
    while (this.#times.length > 0 && this.#times[0]! <= from) this.#times.shift();
  }
}
