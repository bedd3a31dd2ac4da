/**
 * A clock and timers a test moves by hand, so a week of scheduling runs in milliseconds and in
 * a fixed order. `advance(ms)` fires every timer due on the way, in order, synchronously;
 * `run(ms, settle)` does the same for services that work asynchronously, awaiting `settle`
 * (the service's own "done" signal) before and after each timer.
 */
import type { Timers } from '../../daemon/notify/timers.js';

interface Pending { at: number; fn: () => void }

export class FakeClock {
  #t: number;
  #next = 1;
  readonly #timers = new Map<number, Pending>();

  constructor(start: number | string) {
    this.#t = typeof start === 'string' ? Date.parse(start) : start;
  }

  readonly now = (): number => this.#t;

  readonly setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#t + Math.max(0, ms), fn });
    return id;
  };

  readonly clearTimeout = (handle: unknown): void => {
    this.#timers.delete(handle as number);
  };

  /** The same timers in the notifier's Timers shape. */
  readonly timers: Timers = {
    setTimeout: (fn, ms) => this.setTimeout(fn, ms) as number,
    clearTimeout: (id) => this.clearTimeout(id),
  };

  /** Pending timers (tests assert the service arms one). */
  get pending(): number {
    return this.#timers.size;
  }

  /** The earliest timer due by `end`, in arming order among equals (Map keeps insertion order). */
  #due(end: number): [number, Pending] | null {
    let due: [number, Pending] | null = null;
    for (const entry of this.#timers) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
    return due;
  }

  #fire([id, timer]: [number, Pending]): void {
    this.#timers.delete(id);
    this.#t = Math.max(this.#t, timer.at);
    timer.fn();
  }

  advance(ms: number): void {
    const end = this.#t + ms;
    for (let due = this.#due(end); due; due = this.#due(end)) this.#fire(due);
    this.#t = end;
  }

  async run(ms: number, settle: () => Promise<void> = async () => {}): Promise<void> {
    await this.runTo(this.#t + ms, settle);
  }

  async runTo(target: number | string, settle: () => Promise<void> = async () => {}): Promise<void> {
    const end = typeof target === 'string' ? Date.parse(target) : target;
    // Work already queued (a look after a change) arms its timers first.
    await settle();
    for (let due = this.#due(end); due; due = this.#due(end)) {
      this.#fire(due);
      await settle();
    }
    this.#t = Math.max(this.#t, end);
    await settle();
  }
}
