/** A clock and timers that move only when the test says so (quiet hours, dedupe windows, backoff). */
import type { Timers } from '../../daemon/notify/timers.js';

interface Pending { id: number; at: number; fn: () => void }

export class FakeClock {
  #t: number;
  #next = 1;
  #pending: Pending[] = [];

  constructor(start: number | string) {
    this.#t = typeof start === 'string' ? Date.parse(start) : start;
  }

  readonly now = (): number => this.#t;

  readonly timers: Timers = {
    setTimeout: (fn, ms) => {
      const id = this.#next++;
      this.#pending.push({ id, at: this.#t + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout: (id) => {
      this.#pending = this.#pending.filter((p) => p.id !== id);
    },
  };

  /** Moves time forward, firing every timer that comes due on the way, in order. */
  advance(ms: number): void {
    const target = this.#t + ms;
    for (;;) {
      const due = this.#pending.filter((p) => p.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.#pending = this.#pending.filter((p) => p !== due);
      this.#t = Math.max(this.#t, due.at);
      due.fn();
    }
    this.#t = target;
  }

  get pendingTimers(): number {
    return this.#pending.length;
  }
}
