/**
 * The keeper's probes: the tickle (IBKR's keep-alive, whose answer also carries the session
 * state) and the liveness GET / of the gateway's own web server (answered without IBKR). Each
 * call is booked here — the schedule, what was seen of the gateway, the hang count — and comes
 * back as a Look for the keeper to decide on. Another probe (say /iserver/auth/status between
 * tickles) is one more method returning a Look.
 */
import type { GatewayAnswer, GatewayClient } from './gateway-client.js';
import type { ObservedGateway } from './observed-gateway.js';
import type { ProbeSchedule } from './probe-schedule.js';
import type { SessionReport } from './session-report.js';
import { parseTickle, type SessionReading } from './session-state.js';

export type Look =
  /** The gateway went down (or the keeper stopped) while the call was out: the answer is stale. */
  | { kind: 'stale' }
  /** Not answered within the timeout; `hung` once hangThreshold probes in a row were not. */
  | { kind: 'unanswered'; hung: boolean; ms: number }
  /** Connection refused or reset: the supervisor's rung (port not ready), never counted as a hang. */
  | { kind: 'refused'; error: string }
  /** An HTTP answer, whatever its status; `reading` holds the session facts it carried, if any. */
  | { kind: 'answered'; answer: GatewayAnswer; reading: SessionReading | null };

export interface ProbesOptions {
  client: GatewayClient;
  seen: ObservedGateway;
  schedule: ProbeSchedule;
  report: SessionReport;
  now: () => number;
  livenessTimeoutMs: number;
}

export class Probes {
  readonly #o: ProbesOptions;

  constructor(options: ProbesOptions) {
    this.#o = options;
  }

  /** `alive`: false once the call's answer no longer concerns the gateway being kept. */
  async tickle(now: number, alive: () => boolean): Promise<Look> {
    const { client, seen, schedule, report } = this.#o;
    const r = await client.call('/tickle', { klass: 'tickle' });
    report.count('tickles');
    if (!alive()) return { kind: 'stale' };
    seen.lastTickleMs = Math.round(r.ms);
    schedule.tickled(now, this.#o.now());
    seen.tickleUnanswered = r.outcome === 'timeout';
    const look = this.#look(r, now);
    if (look.kind !== 'answered' || r.status === null) return look;
    const reading = parseTickle(r.status, r.body, now);
    if (reading) seen.reading = reading;
    return { ...look, reading };
  }

  async liveness(now: number, alive: () => boolean): Promise<Look> {
    const r = await this.#o.client.call('/', { klass: 'liveness', method: 'GET', raw: true, timeoutMs: this.#o.livenessTimeoutMs });
    this.#o.schedule.probed(this.#o.now());
    if (!alive()) return { kind: 'stale' };
    return this.#look(r, now);
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
    return { kind: 'unanswered', hung: verdict === 'hung', ms: r.ms };
  }
}
