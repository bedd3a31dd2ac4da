/**
 * Path patterns for IBKR's endpoint tables (pacing limits, cache TTLs): `/portfolio/*\/summary`
 * where `*` is one segment, and a trailing `*` (`/pa/*`) the rest of the path, as IBKR documents
 * families of endpoints. The most specific pattern wins: exact paths, then more literal segments.
 */
export interface CompiledPattern<T> {
  pattern: string;
  value: T;
  matches(path: string): boolean;
  /** Higher is more specific. */
  rank: number;
}

export function compilePattern<T>(pattern: string, value: T): CompiledPattern<T> {
  const parts = pattern.split('/').slice(1);
  const tail = parts[parts.length - 1] === '*';
  const literal = parts.filter((p) => p !== '*').length;
  return {
    pattern,
    value,
    rank: (parts.includes('*') ? 0 : 10_000) + literal * 10 + (tail ? 0 : 1),
    matches(path: string): boolean {
      const segments = path.split('/').slice(1);
      if (tail ? segments.length < parts.length : segments.length !== parts.length) return false;
      return parts.every((p, i) => p === '*' || p === segments[i]);
    },
  };
}

export class PatternTable<T> {
  readonly #patterns: CompiledPattern<T>[];

  constructor(entries: Record<string, T>) {
    this.#patterns = Object.entries(entries).map(([p, v]) => compilePattern(p, v)).sort((a, b) => b.rank - a.rank);
  }

  /** The most specific entry covering `path`, or null. */
  lookup(path: string): CompiledPattern<T> | null {
    return this.#patterns.find((p) => p.matches(path)) ?? null;
  }
}
