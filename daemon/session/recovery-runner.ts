/**
 * Runs the recovery step the ladder chose (reauthenticate, takeover, automated login) and settles
 * its outcome: what is recorded, when the keeper looks again, and whether the failure counts
 * toward escalation. The steps themselves, each bounded in time, are in recovery.ts.
 */
import type { SessionConfig } from '../config/types.js';
import type { GatewayClient } from './gateway-client.js';
import type { KeeperState } from './ladder.js';
import type { LoginBudget } from './login-budget.js';
import type { ProbeSchedule } from './probe-schedule.js';
import { logout, reauthenticate, runLogin, type LoginFunction, type StepDeps } from './recovery.js';
import type { SessionReport } from './session-report.js';

export interface RecoveryRunnerOptions {
  config: SessionConfig;
  client: GatewayClient;
  login: LoginFunction | null;
  baseUrl: () => string;
  budget: LoginBudget;
  schedule: ProbeSchedule;
  report: SessionReport;
  now: () => number;
  timers: { setTimeout: (fn: () => void, ms: number) => unknown; clearTimeout: (handle: unknown) => void };
  backoff: (attempt: number) => number;
  /** The step was answered with a 429: the keeper's penalty box opens. */
  enterPenalty: (what: string, now: number) => void;
}

export class RecoveryRunner {
  readonly #o: RecoveryRunnerOptions;
  /** Failed recoveries in a row since the session was last authenticated. */
  #attempts = 0;
  #loginAbort: AbortController | null = null;

  constructor(options: RecoveryRunnerOptions) {
    this.#o = options;
  }

  get attempts(): number {
    return this.#attempts;
  }

  get hasLogin(): boolean {
    return this.#o.login !== null;
  }

  /** The session is back, or a fresh start (a window ended, a gateway restart): nothing has failed yet. */
  forgive(): void {
    this.#attempts = 0;
  }

  /** The keeper stops or the gateway went down: a login in progress gives up. */
  abort(reason: string): void {
    this.#loginAbort?.abort(new Error(reason));
  }

  /** Logs out before a restart; false when the keeper stopped or the gateway went down meanwhile. */
  async logout(alive: () => boolean): Promise<boolean> {
    await logout(this.#deps(alive));
    return alive();
  }

  /**
   * Each step returns when its outcome was settled, or null when it was abandoned (the keeper
   * stopped or the gateway went down: `alive` turned false), and then nothing is recorded.
   */
  async reauth(compete: boolean, alive: () => boolean, readingState: KeeperState | null): Promise<number | null> {
    const { config, report, schedule } = this.#o;
    const deps = this.#deps(alive);
    const kind = compete ? 'takeover' : 'reauth';
    report.setState('reauthenticating', compete ? 'taking the brokerage session over (ssodh/init compete=true)' : 'reauthenticating the brokerage session');
    const out = await reauthenticate(deps, {
      compete, pollMs: config.reauthPollMs, timeoutMs: config.reauthTimeoutMs, requestTimeoutMs: config.requestTimeoutMs,
    });
    const now = this.#o.now();
    if (!deps.alive()) return null;
    report.recovery(kind, out.result, out.ms, out.detail);
    if (out.result === 'ok') {
      report.recovered(kind, out.ms);
      schedule.tickleSoon(now); // confirm with a tickle promptly (the tickle gap still applies)
    } else if (out.result === 'no-sso') {
      schedule.tickleSoon(now); // the tickle tells it as no-session: a login is the next rung
    } else if (out.result === 'rate-limited') {
      this.#o.enterPenalty(kind, now);
    } else {
      this.#failed(readingState ?? 'unknown', `${kind} failed`, out.detail, now);
    }
    return now;
  }

  async login(alive: () => boolean, now: number): Promise<number | null> {
    const { budget, report } = this.#o;
    const login = this.#o.login;
    if (!login) return now; // unreachable: decide() asks for a login only when there is a login function
    await budget.record(now);
    report.count('logins');
    const attempt = this.#attempts + 1;
    report.setState('logging-in', `automated login, attempt ${attempt}`);
    this.#loginAbort = new AbortController();
    const base = this.#o.baseUrl().replace(/\/+$/, '');
    const { result, detail } = await runLogin(
      login, { baseUrl: base, loginUrl: `${base}/`, attempt, reason: 'no SSO session' }, this.#o.config.loginTimeoutMs,
      this.#o.timers, this.#loginAbort.signal,
    );
    this.#loginAbort = null;
    const after = this.#o.now();
    if (!alive()) return null;
    report.recovery('login', result, after - now, detail);
    if (result === 'ok') {
      this.#o.schedule.tickleSoon(after);
    } else if (result === 'rejected') {
      // Never retry a rejected password: each try brings the account closer to IBKR's lock.
      await budget.block(`login rejected at ${new Date(after).toISOString()}`, after);
      report.event('session.login-blocked', 'error', 'the login was rejected; automated logins stop until an operator clears the block');
      report.setState('login-blocked', 'login rejected: fix the credentials, then clear the block');
    } else {
      this.#failed('no-session', 'login failed', detail, after);
    }
    return after;
  }

  #deps(alive: () => boolean): StepDeps {
    const { setTimeout } = this.#o.timers;
    return { client: this.#o.client, now: this.#o.now, alive, sleep: (ms) => new Promise<void>((resolve) => { setTimeout(resolve, ms); }) };
  }

  /** A failed attempt counts toward escalation, and the next look backs off. */
  #failed(state: KeeperState, what: string, detail: string, now: number): void {
    this.#attempts++;
    this.#o.report.setState(state, `${what} (${this.#attempts}/${this.#o.config.maxRecoveryAttempts}): ${detail}`);
    this.#o.schedule.tickleIn(now, this.#o.backoff(this.#attempts));
  }
}
