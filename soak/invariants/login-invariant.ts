/**
 * Logins never exceed the budget, and a rejected password is never retried. The daemon counts
 * each automated login in <dataDir>/login-budget.json before making it (rolling 24 h); the soak
 * keeps the union of every attempt it saw there and checks the hour and day windows over it,
 * and that no attempt was made while a rejected-password block stood.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Violations } from '../violations.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface BudgetFile {
  attempts?: number[];
  blocked?: { at: number; reason: string } | null;
}

export class LoginInvariant {
  readonly #path: string;
  readonly #violations: Violations;
  readonly #budget: { perHour: number; perDay: number };
  readonly attempts = new Set<number>();
  /** Blocks seen, with when the soak saw each cleared (null: still standing). */
  readonly blocks: Array<{ at: number; reason: string; clearedSeenAt: number | null }> = [];
  maxInHour = 0;
  maxInDay = 0;
  /** Blocks the soak itself cleared (by storing the right credentials): never reopened. */
  readonly #cleared = new Set<number>();

  constructor(dataDir: string, budget: { perHour: number; perDay: number }, violations: Violations) {
    this.#path = join(dataDir, 'login-budget.json');
    this.#budget = budget;
    this.#violations = violations;
  }

  get budget(): { perHour: number; perDay: number } {
    return this.#budget;
  }

  check(now = Date.now()): void {
    let file: BudgetFile;
    try {
      file = JSON.parse(readFileSync(this.#path, 'utf8')) as BudgetFile;
    } catch {
      return; // none yet (no automated login so far); parse errors are the state-file check's
    }
    for (const t of file.attempts ?? []) if (Number.isFinite(t)) this.attempts.add(t);
    this.#trackBlock(file.blocked ?? null, now);
    this.#checkWindows();
    this.#checkNoRetry();
  }

  /** The soak clears the standing block now (it stores the right credentials): attempts from here are allowed. */
  clearedAt(at: number): void {
    const open = this.blocks.find((b) => b.clearedSeenAt === null);
    if (!open) return;
    open.clearedSeenAt = at;
    this.#cleared.add(open.at);
  }

  #trackBlock(blocked: BudgetFile['blocked'], now: number): void {
    const open = this.blocks.find((b) => b.clearedSeenAt === null);
    if (blocked && this.#cleared.has(blocked.at)) return;
    if (blocked && (!open || open.at !== blocked.at)) {
      if (open) open.clearedSeenAt = now;
      this.blocks.push({ ...blocked, clearedSeenAt: null });
    } else if (!blocked && open) {
      open.clearedSeenAt = now;
    }
  }

  #checkWindows(): void {
    const sorted = [...this.attempts].sort((a, b) => a - b);
    let h = 0;
    let d = 0;
    for (let i = 0; i < sorted.length; i++) {
      while (sorted[i]! - sorted[h]! >= HOUR) h++;
      while (sorted[i]! - sorted[d]! >= DAY) d++;
      this.maxInHour = Math.max(this.maxInHour, i - h + 1);
      this.maxInDay = Math.max(this.maxInDay, i - d + 1);
    }
    if (this.maxInHour > this.#budget.perHour) {
      this.#violations.record('login-budget', `${this.maxInHour} logins within an hour, budget ${this.#budget.perHour}`, { key: 'hour' });
    }
    if (this.maxInDay > this.#budget.perDay) {
      this.#violations.record('login-budget', `${this.maxInDay} logins within a day, budget ${this.#budget.perDay}`, { key: 'day' });
    }
  }

  /** An attempt after a block and before the soak saw it cleared is a retried rejected password. */
  #checkNoRetry(): void {
    for (const block of this.blocks) {
      const end = block.clearedSeenAt ?? Infinity;
      const retried = [...this.attempts].filter((t) => t > block.at && t < end);
      if (retried.length > 0) {
        this.#violations.record('rejected-password-retried', `${retried.length} login attempt(s) while automated logins were blocked (${block.reason})`, { key: String(block.at) });
      }
    }
  }
}
