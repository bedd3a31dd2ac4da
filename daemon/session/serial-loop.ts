/**
 * One step at a time, each step naming the delay to the next. Nothing overlaps, so the keeper
 * never has more than one call out to the gateway: with IBKR unreachable the gateway answers
 * nothing, and a timer-driven keeper would pile its calls up on it. A wake-up that comes while a
 * step runs is not lost: one more step follows right after.
 */
export interface SerialLoopOptions {
  /** One pass; resolves with ms until the next. */
  step: () => Promise<number>;
  /** The step threw: ms until the next try. */
  onError: (err: unknown) => number;
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

export class SerialLoop {
  readonly #o: SerialLoopOptions;
  #on = false;
  #timer: unknown = null;
  #nextAt: number | null = null;
  #busy = false;
  #rerun = false;
  #generation = 0;

  constructor(options: SerialLoopOptions) {
    this.#o = options;
  }

  /** When the next step is due; null before start() and after stop(). */
  get nextAt(): number | null {
    return this.#nextAt;
  }

  start(): void {
    this.#on = true;
    this.wake(0);
  }

  /** No step starts after this; one already running is told by current() and schedules nothing. */
  stop(): void {
    this.#on = false;
    this.#generation++;
    if (this.#timer !== null) this.#o.clearTimeout(this.#timer);
    this.#timer = null;
    this.#nextAt = null;
  }

  /**
   * For a step or call that starts now: true until stop() or invalidate(). A step can outlast
   * what it started on (a login waits minutes for 2FA); then its outcome must change nothing.
   */
  current(): () => boolean {
    const generation = this.#generation;
    return () => generation === this.#generation;
  }

  /** What running steps started on no longer holds (the gateway went down): they give up. */
  invalidate(): void {
    this.#generation++;
  }

  /** The next step in `delayMs`, replacing whatever was scheduled. Ignored unless started. */
  wake(delayMs: number): void {
    if (!this.#on) return;
    if (this.#timer !== null) this.#o.clearTimeout(this.#timer);
    const delay = Math.max(0, Math.round(delayMs));
    this.#nextAt = this.#o.now() + delay;
    this.#timer = this.#o.setTimeout(() => { this.#timer = null; void this.#run(); }, delay);
  }

  async #run(): Promise<void> {
    if (this.#busy) { this.#rerun = true; return; }
    this.#busy = true;
    let delay: number;
    try {
      delay = await this.#o.step();
    } catch (err) {
      delay = this.#o.onError(err);
    } finally {
      this.#busy = false;
    }
    if (this.#rerun) { this.#rerun = false; delay = 0; }
    this.wake(delay);
  }
}
