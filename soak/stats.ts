/** Small statistics for the report: medians, maxima and least-squares slopes. */

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function max(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.max(...values);
}

export interface Sample {
  /** ms since the run started. */
  t: number;
  value: number;
}

/**
 * The least-squares slope (value per ms) shared by several segments, each with its own
 * intercept: the daemon restarts (kill -9) and starts again from a low RSS, so one line
 * through all samples would read every restart as a fall. Pooling the within-segment
 * deviations estimates "how fast does a running daemon grow" over the whole run.
 * null when no segment has two samples at different times.
 */
export function pooledSlope(segments: ReadonlyArray<readonly Sample[]>): number | null {
  let sxy = 0;
  let sxx = 0;
  for (const samples of segments) {
    if (samples.length < 2) continue;
    const mt = samples.reduce((s, p) => s + p.t, 0) / samples.length;
    const mv = samples.reduce((s, p) => s + p.value, 0) / samples.length;
    for (const p of samples) {
      sxy += (p.t - mt) * (p.value - mv);
      sxx += (p.t - mt) ** 2;
    }
  }
  return sxx === 0 ? null : sxy / sxx;
}

/** A pooled slope with its standard error; `df` the residual degrees of freedom (points − segments − 1). */
export interface SlopeFit {
  slope: number;
  /** null when there are no residual degrees of freedom to estimate it from. */
  se: number | null;
  df: number;
}

/**
 * pooledSlope with its standard error, from the scatter of the points around their segments'
 * lines. The points are window floors (or medians) several minutes apart, so neighbours are
 * nearly independent; raw 5-second samples are not, and would give an error far too small.
 */
export function pooledFit(segments: ReadonlyArray<readonly Sample[]>): SlopeFit | null {
  const used = segments.filter((s) => s.length >= 2);
  const slope = pooledSlope(used);
  if (slope === null) return null;
  let ssr = 0;
  let sxx = 0;
  let points = 0;
  for (const samples of used) {
    const mt = samples.reduce((s, p) => s + p.t, 0) / samples.length;
    const mv = samples.reduce((s, p) => s + p.value, 0) / samples.length;
    for (const p of samples) {
      ssr += (p.value - mv - slope * (p.t - mt)) ** 2;
      sxx += (p.t - mt) ** 2;
    }
    points += samples.length;
  }
  const df = points - used.length - 1;
  return { slope, se: df > 0 ? Math.sqrt(ssr / df / sxx) : null, df };
}

// Student's t, 97.5th percentile, for 1..30 degrees of freedom.
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** The two-sided 95 % interval's multiplier of the standard error (within 0.01 of the table past 30). */
export function t975(df: number): number {
  if (df < 1) return Infinity;
  return df <= 30 ? T975[Math.floor(df) - 1]! : 1.96 + 2.4 / df;
}

/** The 95 % interval of a fit's slope; unbounded when its error cannot be estimated. */
export function slopeInterval(fit: SlopeFit): [number, number] {
  if (fit.se === null) return [-Infinity, Infinity];
  const half = t975(fit.df) * fit.se;
  return [fit.slope - half, fit.slope + half];
}

/** One value per complete `windowMs` window of one segment's samples (at the window's middle). */
function perWindow(samples: readonly Sample[], windowMs: number, pick: (values: number[]) => number): Sample[] {
  if (samples.length === 0) return [];
  const start = samples[0]!.t;
  const end = samples.at(-1)!.t;
  const out: Sample[] = [];
  for (let from = start; from + windowMs <= end; from += windowMs) {
    const inside = samples.filter((s) => s.t >= from && s.t < from + windowMs).map((s) => s.value);
    if (inside.length > 0) out.push({ t: from + windowMs / 2, value: pick(inside) });
  }
  return out;
}

/**
 * The floor of each complete `windowMs` window (its lowest value). What a garbage-collected
 * process keeps is its RSS right after a collection; between collections garbage piles up and
 * is dropped again, a sawtooth of several MB whose peaks fall wherever the collector happens to
 * run. Floors follow what is kept.
 */
export function windowFloors(samples: readonly Sample[], windowMs: number): Sample[] {
  return perWindow(samples, windowMs, (values) => Math.min(...values));
}

/**
 * The median of each complete `windowMs` window. Open descriptors have no sawtooth: they sit at
 * a level (listeners, the store, the gateway's pipes) with sockets coming and going around it,
 * and a moment between two requests dips several below it. A floor would draw its line through
 * those dips — one early dip reads as growth — while a descriptor that leaks raises every
 * sample after it, and so the median, as much as the floor.
 */
export function windowMedians(samples: readonly Sample[], windowMs: number): Sample[] {
  return perWindow(samples, windowMs, (values) => median(values)!);
}

export const round = (value: number | null, digits = 1): number | null =>
  value === null ? null : Number(value.toFixed(digits));
