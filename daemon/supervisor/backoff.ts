/**
 * Delays between automatic restarts: exponential, jittered, capped, and forgotten once the
 * gateway has stayed up long enough.
 *
 * Jitter matters less for one gateway than for a fleet, but it also keeps a restart from
 * landing in lock-step with whatever made the previous start fail (a periodic job, IBKR's
 * own reconnect timer).
 */
import type { BackoffConfig } from '../config/types.js';

export class Backoff {
  #config: BackoffConfig;
  readonly #random: () => number;
  #attempt = 0;

  constructor(config: BackoffConfig, random: () => number = Math.random) {
    this.#config = config;
    this.#random = random;
  }

  /** Failed attempts since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt; each call moves one step up the curve. */
  next(): number {
    const { initialMs, maxMs, factor, jitter } = this.#config;
    // Math.min before multiplying: factor ** attempt overflows to Infinity after ~1000 failures.
    const base = Math.min(maxMs, initialMs * factor ** Math.min(this.#attempt, 64));
    this.#attempt++;
    const spread = 1 + Math.max(0, Math.min(1, jitter)) * (2 * this.#random() - 1);
    // The cap applies after jitter: maxMs is a promise to the operator, not a centre value.
    return Math.max(0, Math.round(Math.min(maxMs, base * spread)));
  }

  reset(): void {
    this.#attempt = 0;
  }

  /** A config edit applies from the next delay on; the position on the curve is kept. */
  configure(config: BackoffConfig): void {
    this.#config = config;
  }
}
