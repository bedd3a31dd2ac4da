/**
 * Every session state change with its time, kept to answer the question users actually ask:
 * "how much of the last day / week could my programs trade?" A health check that says OK now
 * hides a session that dropped five times overnight. Bounded in entries and age; optionally
 * persisted so a daemon restart does not wipe the week.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-write.js';

export interface StateChange {
  at: number;
  state: string;
  /** null: the daemon did not know (stopped, or the time before a restart). Excluded from uptime. */
  authenticated: boolean | null;
}

export interface ConnectionHistoryOptions {
  path?: string | null;
  now?: () => number;
  maxEntries?: number;
  /** Entries older than this are dropped (a week is the longest uptime window asked for). */
  maxAgeMs?: number;
  onError?: (err: Error) => void;
}

const WEEK = 7 * 86_400_000;

export class ConnectionHistory {
  readonly #path: string | null;
  readonly #now: () => number;
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #onError: (err: Error) => void;
  #changes: StateChange[] = [];
  #writing: Promise<void> = Promise.resolve();

  constructor(options: ConnectionHistoryOptions = {}) {
    this.#path = options.path ?? null;
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? 5000;
    this.#maxAgeMs = options.maxAgeMs ?? WEEK + 86_400_000;
    this.#onError = options.onError ?? (() => {});
    this.#load();
  }

  #load(): void {
    if (!this.#path) return;
    try {
      const data = JSON.parse(readFileSync(this.#path, 'utf8')) as { changes?: StateChange[] };
      this.#changes = (data.changes ?? []).filter((c) => Number.isFinite(c.at) && typeof c.state === 'string');
      // Whatever happened while the daemon was down is unknown, not "still authenticated".
      const last = this.#changes[this.#changes.length - 1];
      if (last && last.authenticated !== null) this.#changes.push({ at: this.#now(), state: 'unknown', authenticated: null });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#onError(err as Error);
    }
  }

  /** Records a state; returns false (and records nothing) when it is the current one. */
  record(state: string, authenticated: boolean | null, at: number = this.#now()): boolean {
    const last = this.#changes[this.#changes.length - 1];
    if (last && last.state === state && last.authenticated === authenticated) return false;
    this.#changes.push({ at, state, authenticated });
    this.#prune(at);
    this.#save();
    return true;
  }

  #prune(now: number): void {
    // Keep the last entry before the cutoff: it says what the state was when the window opened.
    const cutoff = now - this.#maxAgeMs;
    let first = 0;
    while (first + 1 < this.#changes.length && this.#changes[first + 1].at <= cutoff) first++;
    if (first > 0) this.#changes.splice(0, first);
    if (this.#changes.length > this.#maxEntries) this.#changes.splice(0, this.#changes.length - this.#maxEntries);
  }

  history(limit = 100): StateChange[] {
    return this.#changes.slice(-limit).map((c) => ({ ...c }));
  }

  /**
   * Percentage of the known time within [now - windowMs, now] during which the session was
   * authenticated; null when nothing is known about that period.
   */
  uptimePercent(windowMs: number, now: number = this.#now()): number | null {
    const from = now - windowMs;
    let known = 0;
    let up = 0;
    for (let i = 0; i < this.#changes.length; i++) {
      const c = this.#changes[i];
      const end = Math.min(i + 1 < this.#changes.length ? this.#changes[i + 1].at : now, now);
      const start = Math.max(c.at, from);
      if (end <= start || c.authenticated === null) continue;
      known += end - start;
      if (c.authenticated) up += end - start;
    }
    return known === 0 ? null : Math.round((up / known) * 10_000) / 100;
  }

  flush(): Promise<void> {
    return this.#writing;
  }

  #save(): void {
    const path = this.#path;
    if (!path) return;
    const text = JSON.stringify({ version: 1, changes: this.#changes }) + '\n';
    this.#writing = this.#writing.then(() => writeFileAtomic(path, text)).catch((err) => this.#onError(err as Error));
  }
}
