/**
 * What the daemon counts between scrapes: API requests by route and status, the pass-through's
 * gateway latency, cache results and refusals, tickle latency. Plain numbers in maps, always
 * on; everything else /metrics shows is read from the services when it is scraped.
 */
import type { PassThroughObserver } from '../ibkr/pass-through.js';
import type { CacheSource } from '../ibkr/response-cache.js';
import { Histogram, LATENCY_BUCKETS } from './histogram.js';

export class MetricsRecorder implements PassThroughObserver {
  /** `route method status` → count. Unmatched URLs share one route label, so apps cannot grow this map. */
  readonly requests = new Map<string, number>();
  readonly upstreamSeconds = new Histogram(LATENCY_BUCKETS);
  /** Gateway answers by status class, and 'error' for no answer (timeout, refused connection). */
  readonly upstreamResults = new Map<string, number>();
  readonly cacheResults = new Map<CacheSource | 'bypass', number>();
  /** Pass-through refusals by error code (IBGW_IBKR_BUSY is the 429 of the queue bound). */
  readonly refusals = new Map<string, number>();
  readonly tickleSeconds = new Histogram(LATENCY_BUCKETS);
  #lastTickleAt: number | null = null;

  request(route: string, method: string, status: number): void {
    bump(this.requests, `${route} ${method} ${status}`);
  }

  upstream(ms: number, status: number | null): void {
    // 429 apart: the gateway's rate limit is what the pacer exists to prevent.
    bump(this.upstreamResults, status === null ? 'error' : status === 429 ? '429' : `${Math.floor(status / 100)}xx`);
    if (status !== null) this.upstreamSeconds.observe(ms / 1000);
  }

  cache(source: CacheSource | 'bypass'): void {
    bump(this.cacheResults, source);
  }

  refused(code: string): void {
    bump(this.refusals, code);
  }

  /** The keeper's last tickle as its status shows it; each tickle is observed once. */
  sawTickle(at: number | null, ms: number | null): void {
    if (at === null || ms === null || at === this.#lastTickleAt) return;
    this.#lastTickleAt = at;
    this.tickleSeconds.observe(ms / 1000);
  }
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
