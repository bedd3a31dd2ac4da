/**
 * The IBKR accounts behind the login page. Failed logins are counted per user, and after
 * `lockAfterFailures` the account locks: from then on even the right password is refused,
 * which is what happened to IBeam users whose tool kept logging in during maintenance. A lock
 * outlives sessions and logouts; only the control channel (IBKR support, in real life) lifts it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SimUser } from './sim-config.js';

export type LoginResult =
  | { result: 'ok'; user: SimUser }
  | { result: 'second-factor'; user: SimUser; challenge: string }
  | { result: 'bad-credentials'; failures: number }
  | { result: 'locked' };

interface Challenge {
  user: SimUser;
  expires: number;
}

/** A second-factor prompt stays open this long, like IB Key's notification. */
const CHALLENGE_TTL_MS = 180_000;
export const DEFAULT_CODE = '123456';

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class UserRegistry {
  private readonly failures = new Map<string, number>();
  private readonly locked = new Set<string>();
  private readonly challenges = new Map<string, Challenge>();

  constructor(
    private readonly users: SimUser[],
    private readonly lockAfterFailures: number,
    private readonly now: () => number = Date.now,
  ) {}

  find(username: string): SimUser | undefined {
    return this.users.find((u) => u.username === username);
  }

  /** `mode` is the page's paper/live switch; a paper user logging in as live fails like a bad password. */
  login(username: string, password: string, mode: string | undefined): LoginResult {
    if (this.locked.has(username)) return { result: 'locked' };
    const user = this.find(username);
    const modeOk = !mode || !user || (mode === 'paper') === user.paper;
    if (!user || !sameText(user.password, password) || !modeOk) return this.fail(username);
    if (user.twoFactor === 'none') return this.succeed(user);
    const challenge = randomBytes(12).toString('hex');
    this.challenges.set(challenge, { user, expires: this.now() + CHALLENGE_TTL_MS });
    return { result: 'second-factor', user, challenge };
  }

  challengeKind(challenge: string): 'approve' | 'code' {
    return this.challenges.get(challenge)?.user.twoFactor === 'approve' ? 'approve' : 'code';
  }

  /** The second step: an approval (IB Key) or a six-digit code, by the user's setting. */
  secondFactor(challenge: string, input: { approve?: boolean; code?: string }): LoginResult | { result: 'expired' } {
    const open = this.challenges.get(challenge);
    if (!open || open.expires <= this.now()) {
      this.challenges.delete(challenge);
      return { result: 'expired' };
    }
    const { user } = open;
    if (this.locked.has(user.username)) return { result: 'locked' };
    const ok = user.twoFactor === 'approve' ? input.approve === true : sameText(user.code ?? DEFAULT_CODE, input.code ?? '');
    if (!ok) {
      const failed = this.fail(user.username);
      if (failed.result === 'locked') this.challenges.delete(challenge);
      return failed;
    }
    this.challenges.delete(challenge);
    return this.succeed(user);
  }

  private succeed(user: SimUser): LoginResult {
    this.failures.delete(user.username);
    return { result: 'ok', user };
  }

  private fail(username: string): LoginResult {
    const failures = (this.failures.get(username) ?? 0) + 1;
    this.failures.set(username, failures);
    if (this.lockAfterFailures > 0 && failures >= this.lockAfterFailures && this.find(username)) {
      this.locked.add(username);
      return { result: 'locked' };
    }
    return { result: 'bad-credentials', failures };
  }

  unlock(username?: string): void {
    for (const name of username ? [username] : [...this.locked]) {
      this.locked.delete(name);
      this.failures.delete(name);
    }
  }

  describe(): { failedLogins: Record<string, number>; lockedUsers: string[] } {
    return { failedLogins: Object.fromEntries(this.failures), lockedUsers: [...this.locked] };
  }
}
