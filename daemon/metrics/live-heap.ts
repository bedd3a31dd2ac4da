/**
 * The V8 heap in use right after the last full collection: what the daemon's objects and compiled
 * code really keep. The heap in use read at a random moment also holds the garbage of the minute
 * since the last collection (under steady load the two differ by several MB), and the heap
 * reserved follows V8's sizing, so neither tells a leak from a heap that is merely sized up; a
 * figure that rises from one full collection to the next does.
 *
 * Observed with a `gc` PerformanceObserver from the first /metrics scrape on, never before: a
 * daemon nobody scrapes pays nothing, and the first figure appears after the next full
 * collection (a minute or two under load, longer at idle).
 */
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

export interface LiveHeap {
  bytes: number;
  /** When the full collection it follows ended (ms since the epoch). */
  at: number;
}

export class LiveHeapWatch {
  #observer: PerformanceObserver | null = null;
  #last: LiveHeap | null = null;

  /** Idempotent: the first call starts watching, later ones do nothing. */
  start(): void {
    if (this.#observer) return;
    this.#observer = new PerformanceObserver((list) => {
      // Entries come in a batch after the collections they describe; the heap is read once per
      // batch holding a full one, a moment after it (what was allocated since is within noise).
      if (list.getEntries().some(isFullCollection)) this.#last = { bytes: getHeapStatistics().used_heap_size, at: Date.now() };
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    this.#observer?.disconnect();
    this.#observer = null;
  }

  /** Null until a full collection has ended since start(). */
  get last(): LiveHeap | null {
    return this.#last;
  }
}

function isFullCollection(entry: PerformanceEntry): boolean {
  // Node ≥ 16 puts the kind in `detail` (@types/node 20 does not declare it on the entry).
  return (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
}
