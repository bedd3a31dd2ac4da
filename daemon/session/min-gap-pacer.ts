/**
 * The keeper's own floor under how often a call may go out: at most one per `gapMs`, refused
 * (not queued) when asked sooner — a periodic check that finds no slot simply looks later.
 * It holds whatever else asks the keeper to look; the shared IBKR pacer (daemon/ibkr/pacer.ts,
 * through the keeper's GatewayClient) then counts the call in the budget the apps share. Its
 * acquire() has the pacer's shape, so a different policy fits the same seam.
 */

/** A granted slot; release() ends a call held against a concurrency cap (no-op here). */
export interface CallSlot {
  release(): void;
}

/** Resolves with a slot for one call to `path`, or rejects when none may be had now. */
export type AcquireSlot = (path: string) => Promise<CallSlot | void>;

export class MinGapPacer {
  readonly #gapMs: number;
  readonly #now: () => number;
  #lastAt = -Infinity;

  /** `now`: a monotonic clock by default, for the reason probe-schedule.ts gives. */
  constructor(gapMs: number, now: () => number = () => performance.now()) {
    this.#gapMs = gapMs;
    this.#now = now;
  }

  /** When the next slot opens (its clock). */
  get nextAt(): number {
    return this.#lastAt + this.#gapMs;
  }

  readonly acquire: AcquireSlot = async () => {
    const now = this.#now();
    if (now < this.nextAt) throw new Error(`no slot before ${Math.ceil(this.nextAt - now)} ms`);
    this.#lastAt = now;
  };
}
