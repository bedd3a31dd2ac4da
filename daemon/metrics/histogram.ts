/**
 * A fixed-bucket histogram: an array of counts, a sum and a count. What every observation
 * costs the daemon between scrapes; the Prometheus form is made only when /metrics is read.
 */
export class Histogram {
  readonly buckets: readonly number[];
  readonly #counts: number[];
  #sum = 0;
  #count = 0;

  /** Upper bounds in seconds, ascending; +Inf is implied. */
  constructor(buckets: readonly number[]) {
    this.buckets = buckets;
    this.#counts = new Array<number>(buckets.length).fill(0);
  }

  observe(seconds: number): void {
    this.#sum += seconds;
    this.#count++;
    const i = this.buckets.findIndex((b) => seconds <= b);
    if (i >= 0) this.#counts[i]!++;
  }

  /** Cumulative counts per bucket (Prometheus' `le` semantics), the sum and the count. */
  snapshot(): { cumulative: number[]; sum: number; count: number } {
    let running = 0;
    return { cumulative: this.#counts.map((c) => (running += c)), sum: this.#sum, count: this.#count };
  }
}

/** From a few milliseconds (a loopback call) to IBKR's slowest answers. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
