/**
 * IBKR's pacing: a global per-address budget plus per-endpoint budgets. Going over either one
 * does not just fail that request — IBKR puts the whole address in a "penalty box" where every
 * request answers 429 until it expires (10–15 min in production; `penaltyMs` here). Requests
 * answered from the penalty box are not counted, so waiting it out always works.
 */
import type { EndpointLimit, RateLimitConfig } from './sim-config.js';

export type RateVerdict = { ok: true } | { ok: false; reason: string; until: number };

interface Window {
  stamps: number[];
}

/** What the limiter saw, for the control channel: proof in tests that a client kept to the limits. */
export interface RateStats {
  admitted: number;
  /** Requests that broke a limit (each one opened a penalty box). */
  breaches: number;
  /** Requests answered 429 from inside a penalty box. */
  refusedInBox: number;
  /** Most requests ever counted at once in each window ('<address> *' is the global one). */
  peak: Record<string, number>;
  /** The window the last breach broke, and when. */
  lastBreach: { window: string; at: number } | null;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly penalty = new Map<string, number>();
  private readonly counts = { admitted: 0, breaches: 0, refusedInBox: 0 };
  private readonly peaks = new Map<string, number>();
  private lastBreach: RateStats['lastBreach'] = null;

  constructor(
    private readonly limits: RateLimitConfig,
    private penaltyMs: number,
  ) {}

  /** The configured limit that covers an API path, and the key it is counted under. */
  endpointLimit(apiPath: string): { key: string; limit: EndpointLimit } | null {
    const exact = this.limits.perEndpoint[apiPath];
    if (exact) return { key: apiPath, limit: exact };
    for (const [key, limit] of Object.entries(this.limits.perEndpoint)) {
      if (key.endsWith('/*') && apiPath.startsWith(key.slice(0, -1))) return { key, limit };
    }
    return null;
  }

  /**
   * Counts one request from `address` (apiPath null: not an API call, only the global budget).
   * `global: false` leaves it out of the global budget — the login page's own requests — but a
   * boxed address is refused all the same.
   */
  hit(address: string, apiPath: string | null, now: number, global = true): RateVerdict {
    const boxed = this.penalty.get(address);
    if (boxed !== undefined) {
      if (now < boxed) {
        this.counts.refusedInBox++;
        return { ok: false, reason: 'penalty box', until: boxed };
      }
      this.penalty.delete(address);
    }
    if (global && this.limits.globalPerSec > 0 && !this.admit(`${address} *`, { count: this.limits.globalPerSec, perMs: 1000 }, now)) {
      return this.box(address, 'global limit', now, `${address} *`);
    }
    const endpoint = apiPath === null ? null : this.endpointLimit(apiPath);
    if (endpoint && !this.admit(`${address} ${endpoint.key}`, endpoint.limit, now)) {
      return this.box(address, `${endpoint.key} limit`, now, `${address} ${endpoint.key}`);
    }
    this.counts.admitted++;
    return { ok: true };
  }

  private admit(key: string, limit: EndpointLimit, now: number): boolean {
    let window = this.windows.get(key);
    if (!window) this.windows.set(key, (window = { stamps: [] }));
    while (window.stamps.length > 0 && window.stamps[0]! <= now - limit.perMs) window.stamps.shift();
    if (window.stamps.length >= limit.count) return false;
    window.stamps.push(now);
    this.peaks.set(key, Math.max(this.peaks.get(key) ?? 0, window.stamps.length));
    return true;
  }

  private box(address: string, reason: string, now: number, window: string): RateVerdict {
    this.counts.breaches++;
    this.lastBreach = { window, at: now };
    const until = now + this.penaltyMs;
    this.penalty.set(address, until);
    return { ok: false, reason, until };
  }

  setPenaltyMs(ms: number): void {
    this.penaltyMs = ms;
  }

  penaltyBox(now: number): Array<{ address: string; until: number; msLeft: number }> {
    return [...this.penalty.entries()]
      .filter(([, until]) => until > now)
      .map(([address, until]) => ({ address, until, msLeft: until - now }));
  }

  stats(): RateStats {
    return { ...this.counts, peak: Object.fromEntries(this.peaks), lastBreach: this.lastBreach };
  }

  /** Empties the penalty box, every window and the stats (control /reset). */
  clear(): void {
    this.penalty.clear();
    this.windows.clear();
    this.peaks.clear();
    this.lastBreach = null;
    this.counts.admitted = this.counts.breaches = this.counts.refusedInBox = 0;
  }
}
