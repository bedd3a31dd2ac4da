/**
 * IBKR's answer to too many requests: a 429 and a penalty box of 10–15 min for the address,
 * longer for repeat offenders. Every call made from inside the box only prolongs the trouble,
 * so while it lasts the keeper makes tickles only (the session must not idle out meanwhile).
 */
export class PenaltyBox {
  #until: number | null = null;

  constructor(private readonly durationMs: number) {}

  /**
   * A 429 arrived; returns true when it opened a new box. 429s inside the box do not extend it:
   * the gateway's own box does not grow with the answers it refuses, and ours would otherwise
   * never end while we keep tickling.
   */
  enter(now: number): boolean {
    if (this.active(now)) return false;
    this.#until = now + this.durationMs;
    return true;
  }

  active(now: number): boolean {
    return this.#until !== null && now < this.#until;
  }

  /** End of the current box, or null when none is active. */
  until(now: number): number | null {
    return this.active(now) ? this.#until : null;
  }
}
