/**
 * The IBKR accounts behind the login page. Failed logins are counted per user, and after
 * `lockAfterFailures` the account locks: from then on even the right password is refused,
 * which is what happened to IBeam users whose tool kept logging in during maintenance. A lock
 * outlives sessions and logouts; only the control channel (IBKR support, in real life) lifts it.
 */
import { timingSafeEqual } from 'node:crypto';
import type { SimUser } from './sim-config.js';

export type CredentialCheck =
  | { result: 'ok'; user: SimUser }
  | { result: 'bad-credentials'; failures: number }
  | { result: 'locked' };

export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class UserRegistry {
  private readonly failures = new Map<string, number>();
  private readonly locked = new Set<string>();

  constructor(
    private readonly users: SimUser[],
    private readonly lockAfterFailures: number,
  ) {}

  find(username: string): SimUser | undefined {
    return this.users.find((u) => u.username === username);
  }

  isLocked(username: string): boolean {
    return this.locked.has(username);
  }

  /** `mode` is the page's paper/live switch; a paper user logging in as live fails like a bad password. */
  checkPassword(username: string, password: string, mode: string | undefined): CredentialCheck {
    if (this.locked.has(username)) return { result: 'locked' };
    const user = this.find(username);
    const modeOk = !mode || !user || (mode === 'paper') === user.paper;
    if (!user || !sameText(user.password, password) || !modeOk) return this.recordFailure(username);
    return { result: 'ok', user };
  }

  /** A wrong password or second-factor code; the one that reaches the limit locks the account. */
  recordFailure(username: string): CredentialCheck {
    const failures = (this.failures.get(username) ?? 0) + 1;
    this.failures.set(username, failures);
    if (this.lockAfterFailures > 0 && failures >= this.lockAfterFailures && this.find(username)) {
      this.locked.add(username);
      return { result: 'locked' };
    }
    return { result: 'bad-credentials', failures };
  }

  recordSuccess(username: string): void {
    this.failures.delete(username);
  }

  /** Lifts a lock and forgets the failures: of one user, or of everyone. */
  unlock(username?: string): void {
    if (username === undefined) {
      this.locked.clear();
      this.failures.clear();
      return;
    }
    this.locked.delete(username);
    this.failures.delete(username);
  }

  describe(): { failedLogins: Record<string, number>; lockedUsers: string[] } {
    return { failedLogins: Object.fromEntries(this.failures), lockedUsers: [...this.locked] };
  }
}
