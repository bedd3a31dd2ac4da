import { RingSeries } from './ring-series.js';

export interface StatusHistoryOptions {
  /** How far back a reading goes. */
  windowMs?: number;
  /** Rows kept per series; at one sample a second this is an hour. */
  capacity?: number;
  now?: () => number;
}

/** Columns, oldest first; times in ms since the epoch, memory in bytes, cpu in % of one core. */
export interface StatusHistoryReading {
  windowMs: number;
  samples: { at: number[]; cpu: number[]; memory: number[] };
  tickles: { at: number[]; ms: number[] };
}

export const HISTORY_WINDOW_MS = 3_600_000;

/**
 * The last hour of the gateway's resource samples and of the session keeper's keep-alive
 * latency, in memory only: a daemon restart starts it empty, which is fine for a chart of
 * "how is it doing right now".
 */
export class StatusHistory {
  readonly #samples: RingSeries;
  readonly #tickles: RingSeries;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(options: StatusHistoryOptions = {}) {
    const capacity = options.capacity ?? 3600;
    this.#samples = new RingSeries(capacity, 2);
    this.#tickles = new RingSeries(capacity, 1);
    this.#windowMs = options.windowMs ?? HISTORY_WINDOW_MS;
    this.#now = options.now ?? Date.now;
  }

  addSample(at: number, cpu: number, memoryBytes: number): void {
    this.#samples.push(at, [cpu, memoryBytes]);
  }

  addTickle(at: number, ms: number): void {
    this.#tickles.push(at, [ms]);
  }

  /** What happened within the window and after `since` (for a chart that only asks for what is new). */
  read(since = 0): StatusHistoryReading {
    const from = Math.max(since, this.#now() - this.#windowMs);
    const [sAt, cpu, memory] = this.#samples.since(from);
    const [tAt, ms] = this.#tickles.since(from);
    return { windowMs: this.#windowMs, samples: { at: sAt, cpu, memory }, tickles: { at: tAt, ms } };
  }
}
