/**
 * A clock and timers a test moves by hand: `await clock.advance(ms, settle)` fires every timer
 * due on the way, in order, awaiting `settle` after each (the service's own "done" signal), so
 * a week of scheduling runs in milliseconds and in a fixed order.
 */
export class FakeClock {
  #t: number;
  #next = 1;
  #timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start: number | string) {
    this.#t = typeof start === 'string' ? Date.parse(start) : start;
  }

  now = (): number => this.#t;

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#t + Math.max(0, ms), fn });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.#timers.delete(handle as number);
  };

  /** Pending timers (tests assert the service arms one). */
  get pending(): number {
    return this.#timers.size;
  }

  async advance(ms: number, settle: () => Promise<void> = async () => {}): Promise<void> {
    await this.advanceTo(this.#t + ms, settle);
  }

  async advanceTo(target: number | string, settle: () => Promise<void> = async () => {}): Promise<void> {
    const end = typeof target === 'string' ? Date.parse(target) : target;
    // Work already queued (a look after a change) arms its timers first.
    await settle();
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | null = null;
      for (const entry of this.#timers) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#t = Math.max(this.#t, due[1].at);
      due[1].fn();
      await settle();
    }
    this.#t = Math.max(this.#t, end);
    await settle();
  }
}
