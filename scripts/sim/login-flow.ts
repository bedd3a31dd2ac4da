/**
 * The steps of IBKR's browser login, independent of HTTP: credentials, then (per user) a
 * second factor, then a one-time ticket the browser redeems at /sso/Dispatcher, which is where
 * the gateway's session begins and the page ends on `Client login succeeds`.
 *
 * Second factors:
 * - push (IB Key): the notification goes to the phone at once; the page polls. Only the
 *   "device" answers it — the control channel's approve/deny — never anything on the page.
 *   Unanswered, it expires after `secondFactorTimeoutMs` (IBKR: ~3 min).
 * - totp: a six-digit RFC 6238 code typed into the page; a wrong one counts as a failed login
 *   (towards the lock) and the prompt stays open for another try until it expires.
 * Expiry is evaluated lazily at each look, like the session store's, so no timers linger.
 */
import { randomBytes } from 'node:crypto';
import type { SimUser } from './sim-config.js';
import { verifyTotp } from './totp.js';
import type { UserRegistry } from './users.js';

export type SecondFactorMethod = 'push' | 'totp';
export type LoginError = 'bad-credentials' | 'locked' | 'bad-code' | 'expired' | 'denied';

export type FlowAnswer =
  | { step: 'authenticated'; ticket: string; user: SimUser }
  | { step: 'second-factor'; challenge: string; method: SecondFactorMethod; user: SimUser }
  | { step: 'pending' }
  | { step: 'error'; error: LoginError };

interface Challenge {
  id: string;
  user: SimUser;
  method: SecondFactorMethod;
  since: number;
  expires: number;
  answer: 'none' | 'approved' | 'denied';
}

/** A ticket only bridges the page's last answer and its navigation to /sso/Dispatcher. */
const TICKET_TTL_MS = 60_000;

export class LoginFlow {
  private readonly challenges = new Map<string, Challenge>();
  private readonly tickets = new Map<string, { user: SimUser; expires: number }>();

  constructor(
    private readonly users: UserRegistry,
    private readonly secondFactorTimeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  credentials(username: string, password: string, mode: string | undefined): FlowAnswer {
    const check = this.users.checkPassword(username, password, mode);
    if (check.result === 'locked') return { step: 'error', error: 'locked' };
    if (check.result === 'bad-credentials') return { step: 'error', error: 'bad-credentials' };
    const { user } = check;
    if (user.twoFactor === 'none') return this.succeed(user);
    const now = this.now();
    const challenge: Challenge = {
      id: randomBytes(12).toString('hex'), user, method: user.twoFactor, since: now, expires: now + this.secondFactorTimeoutMs, answer: 'none',
    };
    this.prune(now);
    this.challenges.set(challenge.id, challenge);
    return { step: 'second-factor', challenge: challenge.id, method: challenge.method, user };
  }

  /** A code typed into the page (totp users). */
  code(id: string, code: string): FlowAnswer {
    const open = this.open(id);
    if (!open || open.method !== 'totp') return { step: 'error', error: 'expired' };
    if (this.users.isLocked(open.user.username)) return this.end(open, 'locked');
    if (!verifyTotp(open.user.totpSecret ?? '', code, this.now())) {
      const failed = this.users.recordFailure(open.user.username);
      return failed.result === 'locked' ? this.end(open, 'locked') : { step: 'error', error: 'bad-code' };
    }
    this.challenges.delete(id);
    return this.succeed(open.user);
  }

  /** The page asking whether the push was answered. */
  poll(id: string): FlowAnswer {
    const open = this.open(id);
    if (!open || open.method !== 'push') return { step: 'error', error: 'expired' };
    if (open.answer === 'denied') return this.end(open, 'denied');
    if (open.answer === 'approved') {
      this.challenges.delete(id);
      return this.succeed(open.user);
    }
    return { step: 'pending' };
  }

  /** The device's answer to the newest open push (of `username`, or of anyone); null: none open. */
  answerPush(answer: 'approved' | 'denied', username?: string): string | null {
    const open = this.pendingPushes().filter((c) => !username || c.user.username === username);
    const newest = open.at(-1);
    if (!newest) return null;
    newest.answer = answer;
    return newest.user.username;
  }

  /** The one use of a ticket; null when unknown, used or too old. */
  redeem(ticket: string): SimUser | null {
    const entry = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    return entry && entry.expires > this.now() ? entry.user : null;
  }

  describe(): { pendingPushes: Array<{ username: string; since: number; expiresAt: number }> } {
    return { pendingPushes: this.pendingPushes().map((c) => ({ username: c.user.username, since: c.since, expiresAt: c.expires })) };
  }

  private pendingPushes(): Challenge[] {
    this.prune(this.now());
    return [...this.challenges.values()].filter((c) => c.method === 'push' && c.answer === 'none');
  }

  private open(id: string): Challenge | null {
    this.prune(this.now());
    return this.challenges.get(id) ?? null;
  }

  private end(challenge: Challenge, error: LoginError): FlowAnswer {
    this.challenges.delete(challenge.id);
    return { step: 'error', error };
  }

  private succeed(user: SimUser): FlowAnswer {
    this.users.recordSuccess(user.username);
    const ticket = randomBytes(16).toString('hex');
    this.tickets.set(ticket, { user, expires: this.now() + TICKET_TTL_MS });
    return { step: 'authenticated', ticket, user };
  }

  private prune(now: number): void {
    for (const [id, c] of this.challenges) if (c.expires <= now) this.challenges.delete(id);
    for (const [id, t] of this.tickets) if (t.expires <= now) this.tickets.delete(id);
  }
}
