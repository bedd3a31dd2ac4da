/**
 * Every start of IB Gateway under IBC is a full IBKR login (IBC types the password at once), so
 * the login budget (session/login-budget.ts) gates the launch itself: a launch is counted before
 * it is made, and refused when automated logins are blocked (a rejected password) or the budget
 * is spent. A refusal carries details.retry false, so the supervisor stops trying instead of
 * backing off into the same refusal; when the budget allows a login again, the gate asks for
 * the start itself.
 */
import { ERR_LOGIN_BLOCKED, ERR_LOGIN_BUDGET } from '../errors.js';
import type { EventSink } from '../events.js';
import { LoginBudget, type LoginBlock } from '../session/login-budget.js';

export interface LoginGateOptions {
  perDay: number;
  perHour: number;
  path: string | null;
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  onEvent: EventSink;
  /** Called when a refused start may happen now (budget freed). */
  retry: (reason: string) => void;
}

export class LoginGate {
  readonly #o: LoginGateOptions;
  readonly #budget: LoginBudget;
  #timer: unknown = null;
  #logins = 0;

  constructor(options: LoginGateOptions) {
    this.#o = options;
    this.#budget = new LoginBudget({
      perDay: options.perDay, perHour: options.perHour, path: options.path, now: options.now,
      onError: (err) => options.onEvent({ type: 'session.store-error', level: 'warn', message: err.message }),
    });
  }

  /** Before a launch: counts it, or throws ERR_LOGIN_BLOCKED / ERR_LOGIN_BUDGET (details.retry false). */
  async admit(): Promise<void> {
    const blocked = this.#budget.blocked();
    if (blocked) {
      const err = ERR_LOGIN_BLOCKED(blocked.reason);
      err.details = { retry: false };
      throw err;
    }
    const now = this.#o.now();
    const check = this.#budget.check(now);
    if (!check.allowed) {
      const err = ERR_LOGIN_BUDGET(check.reason ?? 'spent');
      err.details = { retry: false, retryAt: check.retryAt };
      this.#o.onEvent({ type: 'session.login-budget', level: 'warn', message: `IB Gateway not started: ${check.reason}`, data: { retryAt: check.retryAt } });
      if (check.retryAt !== null) this.#scheduleRetry(check.retryAt - now);
      throw err;
    }
    this.#logins++;
    await this.#budget.record(now);
  }

  #scheduleRetry(ms: number): void {
    if (this.#timer !== null) this.#o.clearTimeout(this.#timer);
    this.#timer = this.#o.setTimeout(() => {
      this.#timer = null;
      this.#o.retry('the login budget allows a login again');
    }, Math.max(0, ms));
  }

  /** A rejected password: no automated login until an operator clears it. */
  async block(reason: string): Promise<void> {
    // The block holds from this call (in memory); announced now, written to disk after.
    const saved = this.#budget.block(reason, this.#o.now());
    this.#o.onEvent({ type: 'session.login-blocked', level: 'error', message: `${reason}: automated logins stop until an operator clears the block`, data: { reason } });
    await saved;
  }

  async clear(): Promise<void> {
    await this.#budget.clearBlock();
    this.#o.onEvent({ type: 'session.login-unblocked', level: 'info', message: 'automated logins allowed again by an operator' });
  }

  blocked(): LoginBlock | null {
    return this.#budget.blocked();
  }

  usedToday(): number {
    return this.#budget.usedToday(this.#o.now());
  }

  get logins(): number {
    return this.#logins;
  }

  async close(): Promise<void> {
    if (this.#timer !== null) this.#o.clearTimeout(this.#timer);
    this.#timer = null;
    await this.#budget.flush();
  }
}
