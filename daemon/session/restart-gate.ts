/**
 * The keeper's last rung, a gateway restart, guarded twice:
 * - spacing: restarts that did not bring the session back come further and further apart, so a
 *   gateway that hangs again at once does not become a restart storm (and a 2FA prompt each time);
 * - settling: right after restart() the old process may still look ready for a moment; probing
 *   it would count the same hang twice and restart again. The restart counts as done once the
 *   gateway was seen down, or restart() resolved, and it is ready again (or after a grace).
 */
export interface PendingRestart { at: number; reason: string; resolved: boolean; sawDown: boolean }

export class RestartGate {
  #pending: PendingRestart | null = null;
  #inRow = 0;
  #lastAt = 0;

  constructor(private readonly backoff: (attempt: number) => number, private readonly graceMs: number) {}

  /** ms to wait before another restart may be requested (0: now). */
  waitBeforeNext(now: number): number {
    if (this.#inRow === 0) return 0;
    return Math.max(0, this.#lastAt + this.backoff(this.#inRow) - now);
  }

  begin(reason: string, now: number): PendingRestart {
    this.#inRow++;
    this.#lastAt = now;
    this.#pending = { at: now, reason, resolved: false, sawDown: false };
    return this.#pending;
  }

  get pending(): PendingRestart | null {
    return this.#pending;
  }

  sawDown(): void {
    if (this.#pending) this.#pending.sawDown = true;
  }

  /** True once a pending restart is over (and clears it); false while it is still going on. */
  settle(ready: boolean, now: number): boolean {
    const p = this.#pending;
    if (!p) return true;
    if (!ready) p.sawDown = true;
    if (!(ready && (p.resolved || p.sawDown || now - p.at > this.graceMs))) return false;
    this.#pending = null;
    return true;
  }

  /** The session came back: the next trouble starts from the shortest spacing. */
  succeeded(): void {
    this.#inRow = 0;
  }

  get inRow(): number {
    return this.#inRow;
  }
}
