/**
 * When the keeper looks next. Three probes at three paces: the tickle at IBKR's pace (it keeps
 * the session alive and reads its state; IBKR allows one a second, and every one reaches IBKR);
 * between tickles, while the session is authenticated, the auth-status check, so a lost
 * brokerage session is seen within seconds; and the liveness probe of the gateway's own web
 * server, cheap and local, often enough to find a hang within seconds. After an unanswered
 * probe the liveness probe follows almost at once.
 */
export interface ProbeTimings {
  tickleIntervalMs: number;
  /** 0 turns the liveness probe off. */
  livenessMs: number;
  suspectMs: number;
  /** Least time between two tickles (IBKR: 1/s; more puts the address in the penalty box). */
  tickleGapMs: number;
  /** 0 turns the auth-status check off. */
  authCheckMs: number;
  /**
   * The clock the tickle gap is kept with (default performance.now): a monotonic one, since a
   * wall clock stepped forward (NTP, a resumed VM) would otherwise let two tickles out within
   * IBKR's second, and a 429 costs a 15-minute penalty box.
   */
  monotonic?: () => number;
}

/** What the keeper knows that decides which look comes next. */
export interface LookState {
  /** A probe just went unanswered. */
  suspect: boolean;
  /** Inside IBKR's penalty box: tickles only. */
  penalty: boolean;
  /** The auth-status check may run (authenticated, no window, no box). */
  authCheck: boolean;
  /** Extra wake-ups: a window's end, the box's end. */
  wakeAt: Array<number | null>;
}

export class ProbeSchedule {
  nextTickleAt = 0;
  lastTickleAt: number | null = null;
  lastProbeAt = 0;
  /** When the session state was last read from IBKR: a tickle or an auth-status check. */
  lastSessionLookAt = 0;
  #lastTickleEnd = -Infinity;
  readonly #monotonic: () => number;

  constructor(private readonly t: ProbeTimings) {
    this.#monotonic = t.monotonic ?? (() => performance.now());
  }

  /** Tickle at the next chance (still no sooner than the tickle gap allows). */
  tickleSoon(now: number): void {
    this.nextTickleAt = now;
  }

  tickleIn(now: number, ms: number): void {
    this.nextTickleAt = now + ms;
  }

  tickleDue(now: number): boolean {
    return now >= this.nextTickleAt;
  }

  /** ms until a due tickle may go out without breaking IBKR's one-per-second limit (counted from the last one's end). */
  gapWait(): number {
    return Math.max(0, this.#lastTickleEnd + this.t.tickleGapMs - this.#monotonic());
  }

  tickled(sentAt: number, doneAt: number): void {
    this.#lastTickleEnd = this.#monotonic();
    this.lastTickleAt = sentAt;
    this.lastProbeAt = doneAt;
    this.lastSessionLookAt = sentAt;
    this.nextTickleAt = sentAt + this.t.tickleIntervalMs;
  }

  /** An auth-status check went out at `sentAt`: the next one is due an interval later. */
  authChecked(sentAt: number, doneAt: number): void {
    this.lastSessionLookAt = sentAt;
    this.lastProbeAt = doneAt;
  }

  /** `on`: the session is authenticated and nothing holds checks back (penalty, window). */
  authCheckAt(on: boolean): number | null {
    return on && this.t.authCheckMs > 0 ? this.lastSessionLookAt + this.t.authCheckMs : null;
  }

  probed(doneAt: number): void {
    this.lastProbeAt = doneAt;
  }

  livenessOn(penalty: boolean): boolean {
    return this.t.livenessMs > 0 && !penalty;
  }

  livenessAt(suspect: boolean): number {
    return this.lastProbeAt + (suspect ? this.t.suspectMs : this.t.livenessMs);
  }

  /**
   * The look due now, or ms until one is. In order: after an unanswered probe, the liveness
   * probe (it alone tells a hung gateway from IBKR out of reach); a due tickle — unless IBKR's
   * 1/s holds it back, when a due liveness probe goes instead; the auth-status check; the
   * liveness probe.
   */
  next(now: number, o: LookState): 'tickle' | 'auth-check' | 'liveness' | number {
    const liveness = this.livenessOn(o.penalty);
    if (o.suspect && liveness) {
      const wait = this.livenessAt(true) - now;
      return wait <= 0 ? 'liveness' : wait;
    }
    const livenessDue = liveness && now >= this.livenessAt(false);
    if (this.tickleDue(now)) {
      const gap = this.gapWait();
      if (gap <= 0) return 'tickle';
      return livenessDue ? 'liveness' : gap;
    }
    const check = this.authCheckAt(o.authCheck);
    if (check !== null && now >= check) return 'auth-check';
    return livenessDue ? 'liveness' : this.until(now, o);
  }

  /** ms until the next probe of any kind, or an extra wake-up (a window's end, the box's end). */
  until(now: number, o: LookState): number {
    let at = this.nextTickleAt;
    if (this.livenessOn(o.penalty)) at = Math.min(at, this.livenessAt(o.suspect));
    const check = this.authCheckAt(o.authCheck);
    if (check !== null) at = Math.min(at, check);
    for (const w of o.wakeAt) if (w !== null && w > now) at = Math.min(at, w);
    return Math.max(0, at - now);
  }
}
