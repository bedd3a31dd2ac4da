/**
 * Failed admin-token checks, per source address and in total: how long to hold the answer to
 * the next failure, when a source is over its limit, and when failures from anywhere add up
 * to a burst worth a notification. It only ever sees failures: whether a token is valid is
 * decided before, and never depends on what is recorded here.
 *
 * No Fastify and no timers: the clock is passed in, so tests drive it.
 */

/** Holding an answer longer than this buys nothing and costs an open socket per attempt. */
export const MAX_FAILURE_DELAY_MS = 10_000;
/** Addresses tracked one by one; beyond this, new addresses share one record (an IPv6 sweep). */
const MAX_SOURCES = 4096;
/** Addresses named in a burst report, most failures first. */
const MAX_LISTED = 20;
const OTHERS = '(other addresses)';

export interface AuthFailuresOptions {
  /** Failures from one address within the window answered 401; beyond that, 429. */
  maxFailures: number;
  windowMs: number;
  /** Delay before answering the first failure; doubles with each further one in the window. */
  firstDelayMs: number;
  now: () => number;
}

export interface FailureVerdict {
  /** Failures from this address within the window, this one included (counting stops past the limit). */
  failures: number;
  /** Over the limit: answer 429 at once, no delay. */
  limited: boolean;
  /** This failure took the address over its limit (true once per stretch of being limited). */
  newlyLimited: boolean;
  /** How long to hold the 401 (0 when limited). */
  delayMs: number;
  /** When limited: until the address is back under its limit. */
  retryAfterMs: number;
  /** Set when this failure began a burst. */
  burstStarted: BurstReport | null;
  /** Set when an earlier burst turned out to be over (noticed at this failure). */
  burstEnded: BurstReport | null;
}

export interface BurstReport {
  startedAt: number;
  /** Time of the burst's last failure (a burst ends after a quiet window). */
  lastAt: number;
  /** Failures counted in the burst, and how many of them were answered 429. */
  failures: number;
  limited: number;
  /** Source addresses with their failures, most first, at most MAX_LISTED. */
  sources: Array<{ address: string; failures: number }>;
  otherSources: number;
}

interface SourceRecord {
  /** Times of the last maxFailures failures, oldest first. */
  times: number[];
  limited: boolean;
}

interface Burst {
  startedAt: number;
  lastAt: number;
  failures: number;
  limited: number;
  bySource: Map<string, number>;
}

/** Drops times that left the window; `times` is sorted. */
function prune(times: number[], since: number): void {
  let drop = 0;
  while (drop < times.length && times[drop] <= since) drop++;
  if (drop) times.splice(0, drop);
}

export class AuthFailures {
  readonly #o: AuthFailuresOptions;
  readonly #sources = new Map<string, SourceRecord>();
  /** The last maxFailures failures from anywhere: a burst is that many within one window. */
  readonly #recent: number[] = [];
  #burst: Burst | null = null;

  constructor(options: AuthFailuresOptions) {
    this.#o = options;
  }

  /** Records one failed check from `address` and says how to answer it. */
  fail(address: string): FailureVerdict {
    const now = this.#o.now();
    const { maxFailures, windowMs } = this.#o;
    const burstEnded = this.#endQuietBurst(now);
    const key = this.#sources.has(address) || this.#sources.size < MAX_SOURCES ? address : OTHERS;
    const rec = this.#sources.get(key) ?? { times: [], limited: false };
    this.#sources.set(key, rec);
    prune(rec.times, now - windowMs);
    const before = rec.times.length;
    rec.times.push(now);
    // Failures past the limit are kept too (capped): a source that keeps failing stays limited.
    if (rec.times.length > maxFailures) rec.times.shift();
    const limited = before >= maxFailures;
    const newlyLimited = limited && !rec.limited;
    rec.limited = limited;
    const burstStarted = this.#countForBurst(key, now, limited);
    return {
      failures: before + 1,
      limited,
      newlyLimited,
      delayMs: limited ? 0 : Math.min(this.#o.firstDelayMs * 2 ** before, MAX_FAILURE_DELAY_MS),
      retryAfterMs: limited ? Math.max(0, rec.times[0] + windowMs - now) : 0,
      burstStarted,
      burstEnded,
    };
  }

  /** Forgets addresses quiet for a whole window; returns a burst that is over, if one is. */
  sweep(): BurstReport | null {
    const now = this.#o.now();
    for (const [address, rec] of this.#sources) {
      prune(rec.times, now - this.#o.windowMs);
      if (rec.times.length === 0) this.#sources.delete(address);
    }
    return this.#endQuietBurst(now);
  }

  /** Addresses currently tracked (for tests and status). */
  get size(): number {
    return this.#sources.size;
  }

  #countForBurst(key: string, now: number, limited: boolean): BurstReport | null {
    const burst = this.#burst;
    if (burst) {
      burst.lastAt = now;
      burst.failures++;
      if (limited) burst.limited++;
      burst.bySource.set(key, (burst.bySource.get(key) ?? 0) + 1);
      return null;
    }
    prune(this.#recent, now - this.#o.windowMs);
    this.#recent.push(now);
    if (this.#recent.length > this.#o.maxFailures) this.#recent.shift();
    if (this.#recent.length < this.#o.maxFailures) return null;
    // A burst: name every source that failed within the window, with its count so far.
    const bySource = new Map<string, number>();
    for (const [address, rec] of this.#sources) {
      const inWindow = rec.times.filter((t) => t > now - this.#o.windowMs).length;
      if (inWindow) bySource.set(address, inWindow);
    }
    const failures = [...bySource.values()].reduce((a, b) => a + b, 0);
    this.#burst = { startedAt: this.#recent[0], lastAt: now, failures, limited: limited ? 1 : 0, bySource };
    this.#recent.length = 0;
    return report(this.#burst);
  }

  #endQuietBurst(now: number): BurstReport | null {
    const burst = this.#burst;
    if (!burst || now - burst.lastAt < this.#o.windowMs) return null;
    this.#burst = null;
    return report(burst);
  }
}

function report(burst: Burst): BurstReport {
  const sorted = [...burst.bySource].sort((a, b) => b[1] - a[1]);
  return {
    startedAt: burst.startedAt,
    lastAt: burst.lastAt,
    failures: burst.failures,
    limited: burst.limited,
    sources: sorted.slice(0, MAX_LISTED).map(([address, failures]) => ({ address, failures })),
    otherSources: Math.max(0, sorted.length - MAX_LISTED),
  };
}
