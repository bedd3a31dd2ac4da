/**
 * Response times and error counts per endpoint class. Classes, not paths: a slow tickle says
 * "the gateway or IBKR is struggling", a slow reauth says "IBKR's auth servers are", and the
 * two call for different patience.
 */
import { isFault, type CallOutcome } from './call-outcome.js';

/** liveness: the cheap local probe of the gateway's own web server (no IBKR behind it). */
export type EndpointClass = 'tickle' | 'auth' | 'reauth' | 'data' | 'liveness';

export const ENDPOINT_CLASSES: EndpointClass[] = ['tickle', 'auth', 'reauth', 'data', 'liveness'];

export interface EndpointClassStats {
  calls: number;
  errors: number;
  /** Counts by outcome other than ok ('timeout', 'server-error', ...). */
  byOutcome: Partial<Record<CallOutcome, number>>;
  lastMs: number | null;
  /** Over the last `window` calls. */
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

const WINDOW = 200;

export class EndpointStats {
  readonly #data = new Map<EndpointClass, { calls: number; errors: number; byOutcome: Partial<Record<CallOutcome, number>>; recent: number[] }>();

  add(klass: EndpointClass, outcome: CallOutcome, ms: number): void {
    let d = this.#data.get(klass);
    if (!d) this.#data.set(klass, (d = { calls: 0, errors: 0, byOutcome: {}, recent: [] }));
    d.calls++;
    if (isFault(outcome)) d.errors++;
    if (outcome !== 'ok') d.byOutcome[outcome] = (d.byOutcome[outcome] ?? 0) + 1;
    d.recent.push(Math.round(ms * 10) / 10);
    if (d.recent.length > WINDOW) d.recent.shift();
  }

  snapshot(): Record<EndpointClass, EndpointClassStats> {
    const out = {} as Record<EndpointClass, EndpointClassStats>;
    for (const klass of ENDPOINT_CLASSES) {
      const d = this.#data.get(klass);
      if (!d || d.recent.length === 0) {
        out[klass] = { calls: 0, errors: 0, byOutcome: {}, lastMs: null, p50Ms: null, p95Ms: null, maxMs: null };
        continue;
      }
      const sorted = [...d.recent].sort((a, b) => a - b);
      const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
      out[klass] = {
        calls: d.calls, errors: d.errors, byOutcome: { ...d.byOutcome },
        lastMs: d.recent[d.recent.length - 1], p50Ms: at(0.5), p95Ms: at(0.95), maxMs: sorted[sorted.length - 1],
      };
    }
    return out;
  }
}
