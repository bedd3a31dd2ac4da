/**
 * /readyz 200 ⇒ a brokerage call succeeds. The daemon learns of a lost session at its next
 * tickle, so "ready" can be stale for up to one tickle interval plus a request timeout after a
 * fault; that is the grace. A mismatch that lasts longer than the grace is a violation: the
 * daemon kept telling apps to go ahead while nothing worked.
 */
import type { Violations } from '../violations.js';

export interface ReadinessSample {
  ready: boolean;
  brokerageOk: boolean;
  /** Why the brokerage call failed (HTTP status, network error). */
  reason: string | null;
}

export class ReadinessInvariant {
  readonly #violations: Violations;
  readonly #graceMs: number;
  #streakStart: number | null = null;
  #streakReported = false;
  #streakReasons = new Map<string, number>();
  samples = 0;
  mismatches = 0;
  /** Not ready while the brokerage call worked (conservative, not a violation). */
  pessimistic = 0;
  longestStaleMs = 0;

  constructor(violations: Violations, graceMs: number) {
    this.#violations = violations;
    this.#graceMs = graceMs;
  }

  get graceMs(): number {
    return this.#graceMs;
  }

  add(sample: ReadinessSample, now = Date.now()): void {
    this.samples += 1;
    if (!sample.ready && sample.brokerageOk) this.pessimistic += 1;
    if (!(sample.ready && !sample.brokerageOk)) {
      this.#streakStart = null;
      this.#streakReported = false;
      this.#streakReasons.clear();
      return;
    }
    this.mismatches += 1;
    this.#streakStart ??= now;
    const reason = sample.reason ?? 'unknown';
    this.#streakReasons.set(reason, (this.#streakReasons.get(reason) ?? 0) + 1);
    const staleMs = now - this.#streakStart;
    this.longestStaleMs = Math.max(this.longestStaleMs, staleMs);
    if (staleMs > this.#graceMs && !this.#streakReported) {
      this.#streakReported = true;
      const reasons = [...this.#streakReasons].map(([r, n]) => `${r} ×${n}`).join(', ');
      this.#violations.record('ready-not-usable', `/readyz said ready for ${Math.round(staleMs / 1000)} s while brokerage calls failed (${reasons}); grace ${this.#graceMs / 1000} s`, { key: `streak@${this.#streakStart}` });
    }
  }
}
