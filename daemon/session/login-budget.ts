/**
 * Logins are budgeted because IBKR locks an account after repeated failed logins, and a tool
 * that logs in again and again during IBKR's maintenance (IBeam) has locked users out. The
 * windows are rolling (the last 60 min, the last 24 h), not calendar hours, so a burst at
 * 10:59 and 11:01 counts as one hour. The record survives daemon restarts: a crash loop must
 * not reset the count.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-write.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface LoginBudgetOptions {
  perDay: number;
  perHour: number;
  /** State file; null keeps the record in memory only. */
  path?: string | null;
  now?: () => number;
  /** Told when the state file could not be read or written (corrupt file, full disk). */
  onError?: (err: Error) => void;
}

export interface LoginBlock { at: number; reason: string }

export interface BudgetCheck {
  allowed: boolean;
  /** Why not: 'blocked: …', 'hourly budget spent …', 'daily budget spent …'. */
  reason: string | null;
  /** When the next login would be allowed (null: never without an operator, or allowed now). */
  retryAt: number | null;
  usedHour: number;
  usedDay: number;
}

interface Persisted { version: 1; attempts: number[]; blocked: LoginBlock | null }

export class LoginBudget {
  readonly #perDay: number;
  readonly #perHour: number;
  readonly #path: string | null;
  readonly #now: () => number;
  readonly #onError: (err: Error) => void;
  #attempts: number[] = [];
  #blocked: LoginBlock | null = null;
  #writing: Promise<void> = Promise.resolve();

  constructor(options: LoginBudgetOptions) {
    this.#perDay = options.perDay;
    this.#perHour = options.perHour;
    this.#path = options.path ?? null;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => {});
    this.#load();
  }

  #load(): void {
    if (!this.#path) return;
    let text: string;
    try {
      text = readFileSync(this.#path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#onError(err as Error);
      return;
    }
    try {
      const data = JSON.parse(text) as Partial<Persisted>;
      this.#attempts = Array.isArray(data.attempts) ? data.attempts.filter((t) => Number.isFinite(t)) : [];
      const b = data.blocked;
      this.#blocked = b && typeof b.reason === 'string' && Number.isFinite(b.at) ? { at: b.at, reason: b.reason } : null;
    } catch (err) {
      this.#onError(new Error(`login budget file ${this.#path} is not valid JSON: ${(err as Error).message}`));
    }
  }

  #prune(now: number): void {
    this.#attempts = this.#attempts.filter((t) => t > now - DAY && t <= now + HOUR).sort((a, b) => a - b);
  }

  check(now: number = this.#now()): BudgetCheck {
    this.#prune(now);
    const usedDay = this.#attempts.length;
    const inHour = this.#attempts.filter((t) => t > now - HOUR);
    const usedHour = inHour.length;
    if (this.#blocked) {
      return { allowed: false, reason: `blocked: ${this.#blocked.reason}`, retryAt: null, usedHour, usedDay };
    }
    if (usedDay >= this.#perDay) {
      // The (usedDay - perDay + 1)-th oldest attempt must leave the 24 h window first.
      const retryAt = this.#attempts[usedDay - this.#perDay] + DAY;
      return { allowed: false, reason: `daily login budget spent (${usedDay}/${this.#perDay} in 24 h)`, retryAt, usedHour, usedDay };
    }
    if (usedHour >= this.#perHour) {
      const retryAt = inHour[usedHour - this.#perHour] + HOUR;
      return { allowed: false, reason: `hourly login budget spent (${usedHour}/${this.#perHour} in 60 min)`, retryAt, usedHour, usedDay };
    }
    return { allowed: true, reason: null, retryAt: null, usedHour, usedDay };
  }

  /** Counts one login attempt — before it is made, so a crash mid-login still counts it. */
  record(now: number = this.#now()): Promise<void> {
    this.#attempts.push(now);
    this.#prune(now);
    return this.#save();
  }

  /** Stops automated logins until an operator clears it (a rejected password must never be retried). */
  block(reason: string, now: number = this.#now()): Promise<void> {
    this.#blocked = { at: now, reason };
    return this.#save();
  }

  clearBlock(): Promise<void> {
    this.#blocked = null;
    return this.#save();
  }

  blocked(): LoginBlock | null {
    return this.#blocked ? { ...this.#blocked } : null;
  }

  /** Logins counted in the last 24 h. */
  usedToday(now: number = this.#now()): number {
    this.#prune(now);
    return this.#attempts.length;
  }

  /** Resolves when every write so far has reached the disk. */
  flush(): Promise<void> {
    return this.#writing;
  }

  #save(): Promise<void> {
    const path = this.#path;
    if (!path) return Promise.resolve();
    const data: Persisted = { version: 1, attempts: [...this.#attempts], blocked: this.#blocked };
    // Chained: two quick records must land in order, the later state last.
    this.#writing = this.#writing.then(() => writeFileAtomic(path, JSON.stringify(data) + '\n', { mode: 0o600 })).catch((err) => this.#onError(err as Error));
    return this.#writing;
  }
}
