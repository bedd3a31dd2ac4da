/**
 * Delays between automatic restarts: the position on the backoff curve, forgotten once the
 * gateway has stayed up long enough (the curve itself is backoff-delay.ts).
 */
import { backoffDelay } from '../backoff-delay.js';
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
    this.#attempt++;
    return backoffDelay(this.#config, this.#attempt, this.#random);
  }

  reset(): void {
    this.#attempt = 0;
  }

  /** A config edit applies from the next delay on; the position on the curve is kept. */
  configure(config: BackoffConfig): void {
    this.#config = config;
  }
}
