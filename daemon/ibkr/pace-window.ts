/**
 * One of IBKR's budgets: at most `count` requests in any window of `spanMs`. Kept as the send
 * times of the last `count` requests (a sliding log, not a token bucket): IBKR's gateway
 * counts requests in a sliding window, and a bucket that refills continuously would let a
 * burst through that the window then counts as one too many.
 */
export class PaceWindow {
  readonly #stamps: number[] = [];

  constructor(readonly count: number, readonly spanMs: number) {}

  #prune(now: number): void {
    while (this.#stamps.length > 0 && this.#stamps[0]! <= now - this.spanMs) this.#stamps.shift();
  }

  /** Sends counted in the window ending now. */
  used(now: number): number {
    this.#prune(now);
    return this.#stamps.length;
  }

  /** True when one more send now stays within `cap` (≤ count: a share kept for others). */
  hasRoom(now: number, cap = this.count): boolean {
    return this.used(now) < cap;
  }

  /** When the next send fits under `cap`: now, or when the oldest counted send leaves the window. */
  nextRoomAt(now: number, cap = this.count): number {
    this.#prune(now);
    const over = this.#stamps.length - cap;
    return over < 0 ? now : this.#stamps[over]! + this.spanMs;
  }

  record(now: number): void {
    this.#stamps.push(now);
    // Only the last `count` sends ever decide anything.
    if (this.#stamps.length > this.count) this.#stamps.shift();
  }

  /**
   * When the send `ahead` places back in line could go if this window were the only limit and
   * everyone ahead went as early as allowed. Used to refuse at once a request that would wait
   * longer than the queue's bound, instead of letting it wait only to be refused.
   */
  projectedStart(now: number, ahead: number, cap = this.count): number {
    this.#prune(now);
    if (cap <= 0) return Number.POSITIVE_INFINITY;
    const times = [...this.#stamps];
    let at = now;
    for (let i = 0; i <= ahead; i++) {
      const over = times.length - cap;
      at = over < 0 ? now : Math.max(now, times[over]! + this.spanMs);
      times.push(at);
    }
    return at;
  }
}
