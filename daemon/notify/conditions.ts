/**
 * From matching events to notification drafts: thresholds (3 crashes in 10 min), waits (a
 * needs-login that lasts 10 min), deduplication (the same condition again within the window
 * is counted, then summarised once) and recovery (the clearing event after an alert).
 *
 * State is per rule and dedupe key (an "episode") and lives in memory: after a daemon restart
 * an open episode is forgotten, so its recovery message is not sent (documented).
 */
import type { ServiceEvent } from '../events.js';
import type { Timers } from './timers.js';
import { formatDuration, type NotificationDraft, type NotifiedEvent } from './notification.js';
import { fieldOf, matches, type ResolvedRule } from './rules.js';

interface Episode {
  rule: string;
  key: string;
  /** When the condition began: the first match, or the start of the wait. */
  since: number;
  first: NotifiedEvent;
  last: NotifiedEvent;
  /** An alert went out: a clearing event brings a recovery message. */
  alerted: boolean;
  suppressed: number;
  hits: number[];
  waitTimer: unknown;
  windowTimer: unknown;
}

export type DraftSink = (rule: ResolvedRule, draft: NotificationDraft) => void;

export interface ConditionTrackerOptions {
  now: () => number;
  timers: Timers;
  emit: DraftSink;
}

export class ConditionTracker {
  readonly #o: ConditionTrackerOptions;
  #rules = new Map<string, ResolvedRule>();
  readonly #episodes = new Map<string, Episode>();

  constructor(options: ConditionTrackerOptions, rules: ResolvedRule[]) {
    this.#o = options;
    this.setRules(rules);
  }

  /** New rules (a config edit): episodes of rules that still exist carry over. */
  setRules(rules: ResolvedRule[]): void {
    this.#rules = new Map(rules.map((r) => [r.name, r]));
    for (const [id, ep] of this.#episodes) if (!this.#rules.has(ep.rule)) this.#drop(id, ep);
  }

  handle(event: ServiceEvent): void {
    const at = this.#o.now();
    const notified: NotifiedEvent = { ...event, at: new Date(at).toISOString() };
    for (const rule of this.#rules.values()) {
      if (rule.clear && matches(rule.clear, event)) this.#clear(rule, notified, at);
      if (matches(rule.match, event)) this.#hit(rule, notified, at);
    }
  }

  /** Open episodes, for status. */
  open(): Array<{ rule: string; key: string; since: number; alerted: boolean; waiting: boolean; suppressed: number }> {
    return [...this.#episodes.values()].map((e) => ({ rule: e.rule, key: e.key, since: e.since, alerted: e.alerted, waiting: e.waitTimer !== null, suppressed: e.suppressed }));
  }

  stop(): void {
    for (const [id, ep] of this.#episodes) this.#drop(id, ep);
  }

  #hit(rule: ResolvedRule, event: NotifiedEvent, at: number): void {
    const key = rule.dedupeBy.map((f) => String(fieldOf(event, f) ?? '')).join('|');
    const id = `${rule.name}\u0000${key}`;
    let ep = this.#episodes.get(id);
    if (!ep) {
      ep = { rule: rule.name, key, since: at, first: event, last: event, alerted: false, suppressed: 0, hits: [], waitTimer: null, windowTimer: null };
      this.#episodes.set(id, ep);
    }
    ep.last = event;
    if (ep.windowTimer !== null) {
      ep.suppressed++;
      return;
    }
    if (rule.count > 1) {
      ep.hits = ep.hits.filter((t) => at - t < rule.withinMs);
      ep.hits.push(at);
      if (ep.hits.length < rule.count) return;
    }
    if (rule.forMs > 0 && !ep.alerted) {
      if (ep.waitTimer !== null) return;
      ep.since = at;
      ep.first = event;
      const episode = ep;
      ep.waitTimer = this.#o.timers.setTimeout(() => {
        episode.waitTimer = null;
        const current = this.#rules.get(episode.rule);
        if (current && this.#episodes.get(id) === episode) this.#alert(current, id, episode, `${episode.first.message} (still after ${formatDuration(current.forMs)})`);
      }, rule.forMs);
      return;
    }
    if (!ep.alerted) ep.since = at;
    ep.first = event;
    this.#alert(rule, id, ep, event.message);
  }

  #alert(rule: ResolvedRule, id: string, ep: Episode, title: string): void {
    ep.hits = [];
    // Without a clearing event there is nothing to recover from: the episode ends with its window.
    ep.alerted = rule.clear !== null;
    this.#o.emit(rule, {
      kind: 'alert', rule: rule.name, severity: ep.first.level, title, text: describe(ep.first), events: [ep.first],
    });
    this.#openWindow(rule, id, ep);
  }

  #openWindow(rule: ResolvedRule, id: string, ep: Episode): void {
    if (rule.dedupeMs <= 0) {
      if (!ep.alerted) this.#episodes.delete(id);
      return;
    }
    ep.windowTimer = this.#o.timers.setTimeout(() => {
      ep.windowTimer = null;
      const current = this.#rules.get(ep.rule);
      if (!current || this.#episodes.get(id) !== ep) return;
      if (ep.suppressed > 0) {
        const n = ep.suppressed;
        ep.suppressed = 0;
        this.#o.emit(current, {
          kind: 'summary', rule: current.name, severity: ep.last.level,
          title: `${current.name}: happened ${n} more time${n === 1 ? '' : 's'} in ${formatDuration(current.dedupeMs)}`,
          text: `latest: ${describe(ep.last)}`, events: [ep.first, ep.last], count: n,
        });
        this.#openWindow(current, id, ep);
      } else if (!ep.alerted && ep.waitTimer === null) {
        this.#episodes.delete(id);
      }
    }, rule.dedupeMs);
  }

  #clear(rule: ResolvedRule, event: NotifiedEvent, at: number): void {
    let since = Infinity;
    let suppressed = 0;
    let alerted = false;
    for (const [id, ep] of this.#episodes) {
      if (ep.rule !== rule.name) continue;
      if (ep.alerted) {
        alerted = true;
        since = Math.min(since, ep.since);
        suppressed += ep.suppressed;
      }
      this.#drop(id, ep);
    }
    if (!alerted) return;
    const duration = formatDuration(at - since);
    const base = rule.recoveryMessage ? rule.recoveryMessage.replaceAll('{duration}', duration) : `${rule.name} cleared after ${duration}`;
    this.#o.emit(rule, {
      kind: 'recovery', rule: rule.name, severity: 'info',
      title: base, text: `${describe(event)}${suppressed > 0 ? `\n(it happened ${suppressed} more time${suppressed === 1 ? '' : 's'} meanwhile)` : ''}`,
      events: [event], durationMs: at - since, ...(suppressed > 0 ? { count: suppressed } : {}),
    });
  }

  #drop(id: string, ep: Episode): void {
    if (ep.waitTimer !== null) this.#o.timers.clearTimeout(ep.waitTimer);
    if (ep.windowTimer !== null) this.#o.timers.clearTimeout(ep.windowTimer);
    this.#episodes.delete(id);
  }
}

/** The event as a short plain text: message, then its facts one per line. */
function describe(event: NotifiedEvent): string {
  const facts = Object.entries(event.data ?? {})
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .slice(0, 12)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`.slice(0, 300));
  return [event.message, '', `event ${event.type} (${event.level}) at ${event.at}`, ...facts].join('\n');
}
