/**
 * Gateway answers to GET calls, kept per path pattern's TTL, and one upstream call for any
 * number of identical requests in flight (five apps asking for the same positions page at the
 * same moment cost IBKR one request). Bounded by entries and bytes, least recently used first
 * out: the daemon's memory must not grow with what apps ask for.
 */
import type { UpstreamAnswer } from './upstream.js';

export type CacheSource = 'hit' | 'miss' | 'coalesced';

interface Entry {
  answer: UpstreamAnswer;
  storedAt: number;
  expiresAt: number;
  bytes: number;
}

export interface CacheLimits {
  maxEntries: number;
  maxBytes: number;
}

export interface CacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  coalesced: number;
}

export class ResponseCache {
  /** Map order is recency: a hit moves its entry to the end. */
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<UpstreamAnswer>>();
  readonly #now: () => number;
  #limits: CacheLimits;
  #bytes = 0;
  /** Bumped by clear(): a call that started before must not store an answer from the old session. */
  #generation = 0;
  readonly #counts = { hits: 0, misses: 0, coalesced: 0 };

  constructor(limits: CacheLimits, options: { now?: () => number } = {}) {
    this.#limits = limits;
    this.#now = options.now ?? Date.now;
  }

  setLimits(limits: CacheLimits): void {
    this.#limits = limits;
    this.#evict();
  }

  /**
   * The answer for `key`: a stored one younger than both its TTL and `maxAgeMs`, the call
   * already in flight for it, or a new call (`load`). Only 200 answers are stored.
   */
  async fetch(key: string, ttlMs: number, load: () => Promise<UpstreamAnswer>, maxAgeMs = Number.POSITIVE_INFINITY): Promise<{ answer: UpstreamAnswer; source: CacheSource }> {
    const now = this.#now();
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt > now && now - entry.storedAt <= maxAgeMs) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#counts.hits++;
      return { answer: entry.answer, source: 'hit' };
    }
    const pending = this.#inflight.get(key);
    if (pending) {
      this.#counts.coalesced++;
      return { answer: await pending, source: 'coalesced' };
    }
    this.#counts.misses++;
    const generation = this.#generation;
    const call = load();
    this.#inflight.set(key, call);
    try {
      const answer = await call;
      if (ttlMs > 0 && answer.status === 200 && generation === this.#generation) this.#store(key, answer, ttlMs);
      return { answer, source: 'miss' };
    } finally {
      this.#inflight.delete(key);
    }
  }

  #store(key: string, answer: UpstreamAnswer, ttlMs: number): void {
    const bytes = answer.body.length + key.length;
    if (bytes > this.#limits.maxBytes) return;
    this.#drop(key);
    const now = this.#now();
    this.#entries.set(key, { answer, storedAt: now, expiresAt: now + ttlMs, bytes });
    this.#bytes += bytes;
    this.#evict();
  }

  #drop(key: string): void {
    const old = this.#entries.get(key);
    if (!old) return;
    this.#entries.delete(key);
    this.#bytes -= old.bytes;
  }

  #evict(): void {
    const now = this.#now();
    for (const [key, e] of this.#entries) if (e.expiresAt <= now) this.#drop(key);
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#limits.maxEntries && this.#bytes <= this.#limits.maxBytes) break;
      this.#drop(key);
    }
  }

  /** Forget everything (a new gateway, a new session): answers of the old one may not hold. */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
    this.#generation++;
  }

  stats(): CacheStats {
    return { entries: this.#entries.size, bytes: this.#bytes, ...this.#counts };
  }
}
