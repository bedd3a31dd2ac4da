/**
 * The delivery loop: sends each channel's pending entries in order, one at a time per
 * channel, retrying with the shared backoff curve up to a cap. A channel whose oldest entry
 * waits for its retry waits as a whole: newer messages would only hit the same down receiver,
 * and the receiver sees them in the order they happened once it is back.
 */
import { backoffDelay } from '../backoff-delay.js';
import { isIbgwError, ERR_NOTIFY_CHANNEL_REMOVED } from '../errors.js';
import type { Logger } from '../logger.js';
import { isPermanent, type ChannelSender, type DeliveryAnswer } from './channels/index.js';
import type { NotificationsConfig } from '../config/notify-schema.js';
import type { Outbox } from './outbox.js';
import type { OutboxEntry } from './outbox-types.js';
import { ChannelSecrets, type Redactor, type SecretLookup } from './secrets.js';
import type { Timers } from './timers.js';

export interface DeliveryOptions {
  outbox: Outbox;
  senders: () => ReadonlyMap<string, ChannelSender>;
  settings: () => Pick<NotificationsConfig, 'retry' | 'timeoutMs'>;
  secrets: SecretLookup;
  redactor: Redactor;
  now: () => number;
  timers: Timers;
  logger: Logger;
  random?: () => number;
  /** A delivery that will not be tried again. */
  onFailed: (entry: OutboxEntry) => void;
}

export interface AttemptResult {
  ok: boolean;
  answer: DeliveryAnswer | null;
  error: { code: string; message: string } | null;
  permanent: boolean;
  retryAfterMs: number | null;
}

export class Delivery {
  readonly #o: DeliveryOptions;
  readonly #busy = new Set<string>();
  readonly #inflight = new Map<AbortController, Promise<void>>();
  #timer: unknown = null;
  #timerAt = Infinity;
  #scheduled = false;
  #running = false;

  constructor(options: DeliveryOptions) {
    this.#o = options;
  }

  start(): void {
    this.#running = true;
    this.kick();
  }

  /** Look for due work soon (coalesced: many kicks in one turn make one pass). */
  kick(): void {
    if (!this.#running || this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#pass();
    });
  }

  /** Aborts attempts in flight (their entries stay pending, for the next start) and waits for them. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== null) this.#o.timers.clearTimeout(this.#timer);
    this.#timer = null;
    for (const controller of this.#inflight.keys()) controller.abort();
    await Promise.allSettled([...this.#inflight.values()]);
  }

  /** One attempt, outside the loop (test messages): the same secrets, timeout and scrubbing. */
  async attempt(sender: ChannelSender, entry: OutboxEntry): Promise<AttemptResult> {
    const controller = new AbortController();
    let settle: () => void = () => {};
    this.#inflight.set(controller, new Promise<void>((r) => { settle = r; }));
    const { redactor } = this.#o;
    try {
      const secrets = new ChannelSecrets(this.#o.secrets, sender.name, redactor);
      const answer = await sender.send(entry.notification, { secrets, timeoutMs: this.#o.settings().timeoutMs, signal: controller.signal });
      return { ok: true, answer: { status: answer.status, text: redactor.apply(answer.text) }, error: null, permanent: false, retryAfterMs: null };
    } catch (err) {
      const code = isIbgwError(err) ? err.code : 'IBGW_NOTIFY_FAILED';
      const message = redactor.apply(err instanceof Error ? err.message : String(err));
      const details = isIbgwError(err) ? err.details : undefined;
      const answerText = typeof details?.answer === 'string' ? redactor.apply(details.answer) : null;
      return {
        ok: false,
        answer: answerText !== null ? { status: (details?.status as number | null) ?? null, text: answerText } : null,
        error: { code, message },
        permanent: isPermanent(err),
        retryAfterMs: typeof details?.retryAfterMs === 'number' ? details.retryAfterMs : null,
      };
    } finally {
      this.#inflight.delete(controller);
      settle();
    }
  }

  #pass(): void {
    if (!this.#running) return;
    const now = this.#o.now();
    const senders = this.#o.senders();
    let nextAt = Infinity;
    const channels = new Set(this.#o.outbox.entries.filter((e) => e.state === 'pending').map((e) => e.channel));
    for (const channel of channels) {
      if (this.#busy.has(channel)) continue;
      const head = this.#o.outbox.head(channel);
      if (!head) continue;
      const sender = senders.get(channel);
      if (!sender) {
        this.#fail(head, { code: ERR_NOTIFY_CHANNEL_REMOVED.code, message: ERR_NOTIFY_CHANNEL_REMOVED(channel).message });
        this.kick();
        continue;
      }
      if (head.nextAttemptAt > now) {
        nextAt = Math.min(nextAt, head.nextAttemptAt);
        continue;
      }
      this.#busy.add(channel);
      void this.#send(sender, head).finally(() => {
        this.#busy.delete(channel);
        this.kick();
      });
    }
    this.#arm(nextAt, now);
  }

  #arm(at: number, now: number): void {
    if (at === this.#timerAt) return;
    if (this.#timer !== null) this.#o.timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = at;
    if (at === Infinity) return;
    this.#timer = this.#o.timers.setTimeout(() => {
      this.#timer = null;
      this.#timerAt = Infinity;
      this.kick();
    }, Math.max(0, at - now));
  }

  async #send(sender: ChannelSender, entry: OutboxEntry): Promise<void> {
    const result = await this.attempt(sender, entry);
    // Stopped mid-attempt: not the receiver's failure; the entry stays as it was for the next start.
    if (!this.#running && !result.ok) return;
    const attempts = entry.attempts + 1;
    const now = this.#o.now();
    const log = { channel: entry.channel, id: entry.id, kind: entry.notification.kind, rule: entry.notification.rule, attempts };
    if (result.ok) {
      this.#o.outbox.patch(entry.id, { state: 'delivered', attempts, finishedAt: now, answer: result.answer, lastError: null });
      this.#o.logger.info({ ...log, status: result.answer?.status ?? null }, 'notification delivered');
      return;
    }
    const { retry } = this.#o.settings();
    if (result.permanent || attempts >= retry.maxAttempts) {
      this.#fail({ ...entry, attempts, answer: result.answer }, result.error!);
      return;
    }
    // A receiver's Retry-After is honoured up to the backoff cap: maxMs is a promise to the operator.
    const delay = Math.min(retry.backoff.maxMs, Math.max(backoffDelay(retry.backoff, attempts, this.#o.random), result.retryAfterMs ?? 0));
    this.#o.outbox.patch(entry.id, { attempts, nextAttemptAt: now + delay, lastError: result.error, answer: result.answer });
    this.#o.logger.warn({ ...log, code: result.error?.code, retryInMs: delay }, `notification not delivered, will retry: ${result.error?.message}`);
  }

  #fail(entry: OutboxEntry, error: { code: string; message: string }): void {
    const now = this.#o.now();
    this.#o.outbox.patch(entry.id, { state: 'failed', attempts: entry.attempts, finishedAt: now, lastError: error, answer: entry.answer });
    this.#o.logger.error({ channel: entry.channel, id: entry.id, attempts: entry.attempts, code: error.code }, `notification failed for good: ${error.message}`);
    this.#o.onFailed({ ...entry, state: 'failed', finishedAt: now, lastError: error });
  }
}
