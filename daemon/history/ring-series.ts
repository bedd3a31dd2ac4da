/**
 * A fixed number of timestamped rows of numbers, the oldest overwritten first: the daemon's
 * short memory of how the gateway has been doing (CPU, memory, tickle latency) for the admin
 * UI's charts. Columns are Float64Arrays allocated once, so an hour of samples costs a few
 * tens of KB whatever happens, and nothing grows while the daemon idles.
 */
export class RingSeries {
  readonly #columns: Float64Array[];
  readonly #at: Float64Array;
  readonly #capacity: number;
  /** Index the next row goes to. */
  #next = 0;
  #size = 0;

  constructor(capacity: number, columns: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, not ${capacity}`);
    this.#capacity = capacity;
    this.#at = new Float64Array(capacity);
    this.#columns = Array.from({ length: columns }, () => new Float64Array(capacity));
  }

  get size(): number {
    return this.#size;
  }

  /** Adds a row; `at` must not go back in time (a row out of order is dropped). */
  push(at: number, values: readonly number[]): boolean {
    if (this.#size > 0 && at < this.#at[(this.#next + this.#capacity - 1) % this.#capacity]) return false;
    this.#at[this.#next] = at;
    this.#columns.forEach((column, i) => { column[this.#next] = values[i] ?? Number.NaN; });
    this.#next = (this.#next + 1) % this.#capacity;
    this.#size = Math.min(this.#size + 1, this.#capacity);
    return true;
  }

  /** Rows with `at` after `since`, oldest first, as columns: [at[], column0[], column1[] …]. */
  since(since: number): number[][] {
    const out: number[][] = [[], ...this.#columns.map(() => [])];
    const first = (this.#next - this.#size + this.#capacity) % this.#capacity;
    for (let k = 0; k < this.#size; k++) {
      const i = (first + k) % this.#capacity;
      if (this.#at[i] <= since) continue;
      out[0].push(this.#at[i]);
      this.#columns.forEach((column, c) => out[c + 1].push(column[i]));
    }
    return out;
  }

  clear(): void {
    this.#next = 0;
    this.#size = 0;
  }
}
