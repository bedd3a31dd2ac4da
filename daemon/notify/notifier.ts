/**
 * The notifier service: the daemon's event sink calls handle() for every event; rules and
 * conditions turn the few that need a person into notifications; the outbox keeps them until
 * each channel's receiver took them.
 */
import { ERR_NOTIFY_CHANNEL_UNKNOWN, ERR_NOTIFY_STOPPED } from '../errors.js';
import { ignoreEvents, type EventSink, type ServiceEvent } from '../events.js';
import { silentLogger, type Logger } from '../logger.js';
import { packageVersion } from '../package-root.js';
import { createSender, type ChannelSender } from './channels/index.js';
import { ConditionTracker } from './conditions.js';
import type { ChannelConfig, NotificationsConfig, QuietHours } from '../config/notify-schema.js';
import { Delivery } from './delivery.js';
import { activeHold, holdReasonFor, reviewHeld } from './holding.js';
import { materialize, testDraft, type NotificationDraft } from './notification.js';
import { Outbox, MemoryOutboxStore } from './outbox.js';
import type { OutboxEntry, OutboxStore } from './outbox-types.js';
import { quietUntil } from './quiet-hours.js';
import { resolveRules, type ResolvedRule } from './rules.js';
import { noSecrets, Redactor, type SecretLookup } from './secrets.js';
import { entryView, type NotifierStatus, type TestResult } from './status-view.js';
import { realTimers, type Timers } from './timers.js';

export interface NotifierOptions {
  config: NotificationsConfig;
  /** The daemon's Store (its outbox section); default: memory only. */
  store?: OutboxStore;
  /** The credential vault: secret value by name, null when it has none. */
  secrets?: SecretLookup;
  now?: () => number;
  timers?: Timers;
  random?: () => number;
  logger?: Logger;
  onEvent?: EventSink;
  /** Sent as the webhook User-Agent; default ibgw-supervisor/<version>. */
  userAgent?: string;
}

export class Notifier {
  readonly #o: NotifierOptions;
  readonly #now: () => number;
  readonly #timers: Timers;
  readonly #log: Logger;
  readonly #onEvent: EventSink;
  readonly #redactor = new Redactor();
  readonly #outbox: Outbox;
  readonly #tracker: ConditionTracker;
  readonly #delivery: Delivery;
  #config: NotificationsConfig;
  #senders = new Map<string, ChannelSender>();
  #channels = new Map<string, ChannelConfig>();
  #quietTimer: unknown = null;
  #holdTimer: unknown = null;
  #started = false;
  #stopped = false;
  #stopping: Promise<void> | null = null;

  constructor(options: NotifierOptions) {
    this.#o = options;
    this.#config = options.config;
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? realTimers;
    this.#log = (options.logger ?? silentLogger).child({ component: 'notify' });
    this.#onEvent = options.onEvent ?? ignoreEvents;
    this.#outbox = new Outbox(options.store ?? new MemoryOutboxStore(), options.config.keepDeliveries);
    this.#tracker = new ConditionTracker({ now: this.#now, timers: this.#timers, emit: (rule, draft) => this.#fanOut(rule, draft) }, resolveRules(options.config));
    this.#delivery = new Delivery({
      outbox: this.#outbox,
      senders: () => this.#senders,
      settings: () => this.#config,
      secrets: options.secrets ?? noSecrets,
      redactor: this.#redactor,
      now: this.#now,
      timers: this.#timers,
      logger: this.#log,
      random: options.random,
      onFailed: (entry) => this.#reportFailure(entry),
    });
    this.#buildSenders(options.config);
  }

  async start(): Promise<void> {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    const now = this.#now();
    // A restart is a fine moment to try again: the backoff only spared a receiver that was down.
    this.#outbox.update((d) => { for (const e of d.entries) if (e.state === 'pending') e.nextAttemptAt = now; });
    const hold = this.#outbox.hold;
    if (hold && !activeHold(hold, now)) this.release();
    this.#review(null);
    this.#armHold();
    this.#delivery.start();
  }

  /** Bounded: attempts in flight are aborted (their entries stay pending), the outbox is flushed. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#stopped = true;
      this.#tracker.stop();
      for (const t of [this.#quietTimer, this.#holdTimer]) if (t !== null) this.#timers.clearTimeout(t);
      await this.#delivery.stop();
      await Promise.allSettled([...this.#senders.values()].map((s) => s.close()));
      await this.#outbox.flush();
    })();
    return this.#stopping;
  }

  /** A new `notifications` section (hot reload): channels and rules replaced, the outbox kept. */
  reconfigure(next: NotificationsConfig): void {
    this.#config = next;
    this.#outbox.keepFinished = next.keepDeliveries;
    this.#tracker.setRules(resolveRules(next));
    const old = this.#senders;
    this.#buildSenders(next);
    for (const s of old.values()) void s.close().catch(() => {});
    this.#review(null);
    this.#delivery.kick();
  }

  /** Called by the daemon's event sink for every event: cheap, synchronous, never throws. */
  handle(event: ServiceEvent): void {
    try {
      // Our own events come back through the same sink: never notify about notifying.
      if (this.#stopped || typeof event?.type !== 'string' || event.type.startsWith('notify.')) return;
      this.#tracker.handle(event);
    } catch (err) {
      this.#log.error({ err, type: event?.type }, 'notification rules failed on an event');
    }
  }

  /** Hold every notification (maintenance `quiet`) until release() or `until`; maintenance announcements still go. */
  hold(reason: string, until: number | null = null): void {
    this.#outbox.update((d) => { d.hold = { reason, since: this.#now(), until }; });
    void this.#outbox.flush();
    this.#armHold();
  }

  release(): void {
    const hold = this.#outbox.hold;
    if (!hold) return;
    this.#outbox.update((d) => { d.hold = null; });
    this.#armHold();
    this.#review(hold.reason);
  }

  /** Sends a test message now (no hold, no quiet hours, no retry) and reports the receiver's answer. */
  async test(channel: string): Promise<TestResult> {
    if (this.#stopped) throw ERR_NOTIFY_STOPPED();
    const sender = this.#senders.get(channel);
    if (!sender) throw ERR_NOTIFY_CHANNEL_UNKNOWN(channel);
    const now = this.#now();
    const notification = materialize(testDraft(channel), now);
    const entry: OutboxEntry = {
      id: notification.id, channel, notification, state: 'pending', heldBy: null, attempts: 0,
      createdAt: now, nextAttemptAt: now, finishedAt: null, lastError: null, answer: null,
    };
    const started = performance.now();
    const result = await this.#delivery.attempt(sender, entry);
    const ms = Math.round(performance.now() - started);
    this.#outbox.update((d) => {
      d.entries.push({ ...entry, state: result.ok ? 'delivered' : 'failed', attempts: 1, finishedAt: this.#now(), answer: result.answer, lastError: result.error });
    });
    this.#log.info({ channel, id: entry.id, ok: result.ok, ms, code: result.error?.code }, 'test notification');
    return { channel, id: entry.id, ok: result.ok, ms, answer: result.answer, error: result.error };
  }

  status(limit = 50): NotifierStatus {
    const now = this.#now();
    const entries = this.#outbox.entries;
    const count = (channel: string, state: string) => entries.filter((e) => e.channel === channel && e.state === state).length;
    const channels = this.#config.channels.map((c) => ({
      name: c.name, type: c.type, enabled: c.enabled !== false,
      ...(this.#senders.get(c.name)?.describe() ?? {}),
      quietHours: this.#quietOf(c.name), quietNow: quietUntil(now, this.#quietOf(c.name)) !== null,
      pending: count(c.name, 'pending'), held: count(c.name, 'held'), failed: count(c.name, 'failed'),
    }));
    const newest = [...entries].sort((a, b) => (b.finishedAt ?? b.createdAt) - (a.finishedAt ?? a.createdAt));
    return {
      channels,
      rules: resolveRules(this.#config).map((r) => r.name),
      hold: activeHold(this.#outbox.hold, now),
      conditions: this.#tracker.open().map((c) => ({ ...c, since: new Date(c.since).toISOString() })),
      recent: newest.slice(0, limit).map(entryView),
      failed: newest.filter((e) => e.state === 'failed').slice(0, limit).map(entryView),
    };
  }

  #buildSenders(config: NotificationsConfig): void {
    const ua = this.#o.userAgent ?? `ibgw-supervisor/${packageVersion}`;
    this.#senders = new Map(config.channels.map((c) => [c.name, createSender(c, ua)]));
    this.#channels = new Map(config.channels.map((c) => [c.name, c]));
  }

  #quietOf(channel: string): QuietHours | null {
    const own = this.#channels.get(channel)?.quietHours;
    return own === undefined ? this.#config.quietHours : own;
  }

  #fanOut(rule: ResolvedRule, draft: NotificationDraft): void {
    const now = this.#now();
    const hold = this.#outbox.hold;
    const targets = (rule.channels ?? [...this.#channels.keys()]).filter((name) => this.#channels.has(name) && this.#channels.get(name)!.enabled !== false);
    const entries = targets.map((channel): OutboxEntry => {
      const notification = materialize(draft, now);
      const heldBy = holdReasonFor(this.#quietOf(channel), hold, rule.passesHold, now);
      return {
        id: notification.id, channel, notification, state: heldBy ? 'held' : 'pending', heldBy, attempts: 0,
        createdAt: now, nextAttemptAt: now, finishedAt: null, lastError: null, answer: null,
      };
    });
    if (entries.length === 0) return;
    this.#log.info({ rule: rule.name, kind: draft.kind, channels: targets, held: entries.filter((e) => e.heldBy).length }, `notification: ${draft.title}`);
    this.#outbox.add(entries).then(() => {
      this.#delivery.kick();
      if (entries.some((e) => e.heldBy === 'quiet-hours')) this.#armQuiet(now);
    }, (err: Error) => this.#log.error({ err }, 'outbox write failed'));
  }

  /** Release what may go now into digests; arm the timer for the next quiet-hours end. */
  #review(holdReason: string | null): void {
    const now = this.#now();
    const { digests } = reviewHeld(this.#outbox, (c) => this.#quietOf(c), now, holdReason);
    if (digests.length > 0) {
      this.#log.info({ channels: digests.map((d) => d.channel) }, 'held notifications released as digests');
      void this.#outbox.persist(digests.map((d) => d.id)).then(() => this.#delivery.kick());
    }
    this.#armQuiet(now);
  }

  #armQuiet(now: number): void {
    if (this.#stopped) return;
    if (this.#quietTimer !== null) this.#timers.clearTimeout(this.#quietTimer);
    this.#quietTimer = null;
    const channels = new Set(this.#outbox.entries.filter((e) => e.state === 'held' && e.heldBy === 'quiet-hours').map((e) => e.channel));
    const ends = [...channels].map((c) => quietUntil(now, this.#quietOf(c))).filter((t): t is number => t !== null);
    if (ends.length === 0) return;
    // Fires at the end itself: the window is half-open, so the review then finds the channel awake.
    this.#quietTimer = this.#timers.setTimeout(() => { this.#quietTimer = null; this.#review(null); }, Math.max(0, Math.min(...ends) - now));
  }

  #armHold(): void {
    if (this.#holdTimer !== null) this.#timers.clearTimeout(this.#holdTimer);
    this.#holdTimer = null;
    const until = this.#outbox.hold?.until;
    if (this.#stopped || until === null || until === undefined) return;
    this.#holdTimer = this.#timers.setTimeout(() => { this.#holdTimer = null; this.release(); }, Math.max(0, until - this.#now()));
  }

  #reportFailure(entry: OutboxEntry): void {
    const n = entry.notification;
    try {
      this.#onEvent({
        type: 'notify.failed', level: 'error',
        message: `notification to ${entry.channel} failed after ${entry.attempts} attempt(s): ${entry.lastError?.message ?? 'unknown error'}`,
        data: { channel: entry.channel, id: entry.id, kind: n.kind, rule: n.rule, title: n.title, attempts: entry.attempts, code: entry.lastError?.code ?? null },
      });
    } catch {
      // A sink's failure is not ours.
    }
  }
}
