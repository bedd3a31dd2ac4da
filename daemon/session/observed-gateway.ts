/**
 * What the keeper has seen of the gateway process it talks to now. All of it is about that one
 * process: when it goes away (down, not ready, restarted), forget() drops it in one place, so no
 * answer of the old process is read as a fact about the new one.
 */
import { HangDetector } from './ladder.js';
import type { SessionReading } from './session-state.js';

export class ObservedGateway {
  /** Some probe got an HTTP answer since the process came up (the ladder's http-answering rung). */
  answering = false;
  /** The last session facts a tickle carried. */
  reading: SessionReading | null = null;
  /**
   * The last call that reaches for IBKR (tickle or auth-status check) timed out: the next
   * liveness answer tells IBKR unreachable from a hang.
   */
  tickleUnanswered = false;
  /** How long the last tickle took; kept across a restart (it is what the status shows). */
  lastTickleMs: number | null = null;
  readonly hang: HangDetector;

  constructor(hangThreshold: number) {
    this.hang = new HangDetector(hangThreshold);
  }

  forget(): void {
    this.answering = false;
    this.reading = null;
    this.tickleUnanswered = false;
    this.hang.reset();
  }
}
