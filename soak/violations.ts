/**
 * Invariant violations, each with what is needed to replay it: the seed and the step that was
 * running when it was seen. The same violation seen again (same invariant, same key) is counted,
 * not listed again, so a lasting fault does not bury the others.
 */

export type InvariantName =
  | 'two-gateways' | 'orphan-process' | 'api-5xx' | 'ready-not-usable' | 'login-budget'
  | 'rejected-password-retried' | 'event-lost' | 'event-duplicated' | 'notification-lost'
  | 'notification-duplicated' | 'secret-in-log' | 'secret-file-mode' | 'state-file-unparsable' | 'rss-growth' | 'fd-growth'
  | 'recovery-bound' | 'unexpected-restart' | 'expectation' | 'fault-failed';

export interface Violation {
  invariant: InvariantName;
  /** The step running when it was seen (-1: before the first step, during set-up). */
  step: number;
  fault: string | null;
  seed: string;
  at: string;
  /** ms since the run started. */
  tMs: number;
  detail: string;
  /** How many more times the same violation was seen. */
  repeats: number;
  replay: string;
  data?: Record<string, unknown>;
}

/** Which step runs now; the injector moves it, every checker reads it. */
export interface StepCursor {
  index: number;
  fault: string | null;
}

export class Violations {
  readonly list: Violation[] = [];
  readonly #byKey = new Map<string, Violation>();
  readonly #seed: string;
  readonly #startedAt: number;
  readonly #cursor: StepCursor;

  constructor(seed: string, startedAt: number, cursor: StepCursor) {
    this.#seed = seed;
    this.#startedAt = startedAt;
    this.#cursor = cursor;
  }

  record(invariant: InvariantName, detail: string, options: { key?: string; data?: Record<string, unknown>; step?: number; fault?: string | null } = {}): void {
    const key = `${invariant}\0${options.key ?? detail}`;
    const seen = this.#byKey.get(key);
    if (seen) {
      seen.repeats += 1;
      return;
    }
    const step = options.step ?? this.#cursor.index;
    const now = Date.now();
    const violation: Violation = {
      invariant, step, fault: options.fault === undefined ? this.#cursor.fault : options.fault, seed: this.#seed,
      at: new Date(now).toISOString(), tMs: now - this.#startedAt, detail, repeats: 0,
      replay: step < 0 ? `npm run soak -- --seed ${this.#seed} --steps 1` : `npm run soak -- --seed ${this.#seed} --from-step ${step} --steps 1`,
      ...(options.data ? { data: options.data } : {}),
    };
    this.#byKey.set(key, violation);
    this.list.push(violation);
    console.error(`soak: VIOLATION ${invariant} at step ${step} (${violation.fault ?? '-'}): ${detail}`);
  }
}
