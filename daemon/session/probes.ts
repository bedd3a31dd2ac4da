/**
 * The keeper's probes: the tickle (IBKR's keep-alive, whose answer also carries the session
 * state), the auth-status check between tickles (the same facts, without keeping anything
 * alive), and the liveness GET / of the gateway's own web server (answered without IBKR). Each
 * call is booked here — the schedule, what was seen of the gateway, the hang count — and comes
 * back as a Look for the keeper to decide on. Every probe goes out on a new connection with its
 * TLS handshake watched (handshake-watch.ts): a stopped process is known within
 * handshakeTimeoutMs, whichever probe meets it.
 */
import type { GatewayAnswer, GatewayClient } from './gateway-client.js';
import type { ObservedGateway } from './observed-gateway.js';
import type { ProbeSchedule } from './probe-schedule.js';
import type { SessionReport } from './session-report.js';
import type { AcquireSlot } from './min-gap-pacer.js';
import { parseAuthStatusAnswer, parseTickle, type SessionReading } from './session-state.js';

export type Look =
  /** The gateway went down (or the keeper stopped) while the call was out: the answer is stale. */
  | { kind: 'stale' }
  /** Not answered within the timeout; `hung` once hangThreshold probes in a row were not. */
  | { kind: 'unanswered'; hung: boolean; ms: number; silent: boolean }

  /** Connection refused or reset: the supervisor's rung (port not ready), never counted as a hang. */
  | { kind: 'refused'; error: string }
  /** An HTTP answer, whatever its status; `reading` holds the session facts it carried, if any. */
  | { kind: 'answered'; answer: GatewayAnswer; reading: SessionReading | null };

/** The auth-status check may also find no slot for its call (the pacer refused it): nothing was sent. */
export type CheckLook = Look | { kind: 'skipped'; why: string };

export interface ProbesOptions {
  client: GatewayClient;
  seen: ObservedGateway;
  schedule: ProbeSchedule;
  report: SessionReport;
  now: () => number;
  livenessTimeoutMs: number;
  /** 0: probes use the kept-alive connection and only time out. */
  handshakeTimeoutMs: number;
  /** Where the auth-status check takes its slot (min-gap-pacer.ts). */
  acquireAuthCheck: AcquireSlot;
}

export const AUTH_STATUS_PATH = '/iserver/auth/status';

export class Probes {
  readonly #o: ProbesOptions;

  constructor(options: ProbesOptions) {
    this.#o = options;
  }

  /** `alive`: false once the call's answer no longer concerns the gateway being kept. */
  async tickle(now: number, alive: () => boolean): Promise<Look> {
    const { client, seen, schedule, report } = this.#o;
    const r = await client.call('/tickle', { klass: 'tickle', ...this.#watch() });
    report.count('tickles');
    if (!alive()) return { kind: 'stale' };
    seen.lastTickleMs = Math.round(r.ms);
    schedule.tickled(now, this.#o.now());
    return this.#sessionLook(r, now, (status, body) => parseTickle(status, body, now));
  }

  /**
   * /iserver/auth/status: the session facts without a tickle. It reaches IBKR like the tickle,
   * so it shares the tickle's rules: unanswered, it is the liveness probe that tells a hang from
   * IBKR out of reach.
   */
  async authCheck(now: number, alive: () => boolean): Promise<CheckLook> {
    const { client, seen, schedule } = this.#o;
    try {
      await this.#o.acquireAuthCheck(AUTH_STATUS_PATH);
    } catch (err) {
      // No slot: nothing sent. The schedule moves on as if it had been, so the loop does not spin.
      schedule.authChecked(now, schedule.lastProbeAt);
      return { kind: 'skipped', why: (err as Error).message };
    }
    const r = await client.call(AUTH_STATUS_PATH, { klass: 'auth', ...this.#watch() });
    if (!alive()) return { kind: 'stale' };
    schedule.authChecked(now, this.#o.now());
    return this.#sessionLook(r, now, (status, body) => parseAuthStatusAnswer(status, body, now, seen.reading));
  }

  async liveness(now: number, alive: () => boolean): Promise<Look> {
    const r = await this.#o.client.call('/', { klass: 'liveness', method: 'GET', raw: true, timeoutMs: this.#o.livenessTimeoutMs, ...this.#watch() });
    this.#o.schedule.probed(this.#o.now());
    if (!alive()) return { kind: 'stale' };
    return this.#look(r, now);
  }

  #watch(): { handshakeTimeoutMs?: number } {
    return this.#o.handshakeTimeoutMs > 0 ? { handshakeTimeoutMs: this.#o.handshakeTimeoutMs } : {};
  }

  /** A call that reached for IBKR (tickle, auth status): its answer may carry the session's state. */
  #sessionLook(r: GatewayAnswer, now: number, read: (status: number, body: unknown) => SessionReading | null): Look {
    const seen = this.#o.seen;
    // Timed out, not silent: the gateway took the call, so IBKR may be what does not answer.
    seen.tickleUnanswered = r.outcome === 'timeout';
    const look = this.#look(r, now);
    if (look.kind !== 'answered' || r.status === null) return look;
    const reading = read(r.status, r.body);
    if (reading) seen.reading = reading;
    return { ...look, reading };
  }

  #look(r: GatewayAnswer, now: number): Look {
    const seen = this.#o.seen;
    const verdict = seen.hang.observe(r.outcome, now);
    if (verdict === 'unknown') {
      seen.answering = false;
      return { kind: 'refused', error: r.error?.message ?? 'network error' };
    }
    if (verdict === 'answered') {
      seen.answering = true;
      return { kind: 'answered', answer: r, reading: null };
    }
    seen.answering = false;
    return { kind: 'unanswered', hung: verdict === 'hung', ms: r.ms, silent: r.outcome === 'silent' };
  }
}
