/**
 * One notification: what a channel sends, and what the outbox stores. The `json` webhook
 * format and the command channel's stdin carry exactly this object (schema
 * "ibgw.notification/1", documented in docs/notifications.md).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EventLevel, ServiceEvent } from '../events.js';

export const NOTIFICATION_SCHEMA = 'ibgw.notification/1';

export type NotificationKind = 'alert' | 'summary' | 'recovery' | 'digest' | 'test';

/** The event behind a notification, as it was handled (`at`: when the notifier saw it). */
export interface NotifiedEvent extends ServiceEvent {
  at: string;
}

export interface Notification {
  schema: typeof NOTIFICATION_SCHEMA;
  /** Unique per delivery to one channel: the idempotency key receivers deduplicate with. */
  id: string;
  kind: NotificationKind;
  /** The rule that fired ('gateway-fatal', a user rule's name …); null for test messages. */
  rule: string | null;
  severity: EventLevel;
  title: string;
  text: string;
  /** ISO time the notification was made (not when a retry sent it). */
  createdAt: string;
  host: string;
  /** The events that caused it (the first and, for summaries, the last). */
  events: NotifiedEvent[];
  /** summary: how many more times the condition happened; recovery: how long it lasted (ms). */
  count?: number;
  durationMs?: number;
  /** digest: the held notifications it replaces, oldest first. */
  items?: Array<Pick<Notification, 'id' | 'kind' | 'rule' | 'severity' | 'title' | 'text' | 'createdAt'>>;
}

export type NotificationDraft = Omit<Notification, 'schema' | 'id' | 'host' | 'createdAt'>;

const HOST = hostname();

/** The same draft sent to two channels becomes two notifications, each with its own key. */
export function materialize(draft: NotificationDraft, now: number): Notification {
  return { schema: NOTIFICATION_SCHEMA, id: randomUUID(), host: HOST, createdAt: new Date(now).toISOString(), ...draft };
}

const SEVERITY_RANK: Record<EventLevel, number> = { info: 0, warn: 1, error: 2 };

export function severityAtLeast(level: EventLevel, min: EventLevel): boolean {
  return SEVERITY_RANK[level] >= SEVERITY_RANK[min];
}

export function maxSeverity(levels: EventLevel[]): EventLevel {
  return levels.reduce<EventLevel>((a, b) => (SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a), 'info');
}

/** "45 s", "4 min", "3 h 10 min", "2 d 5 h": the durations in recovery messages. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** A digest replaces the held notifications of one channel with one message listing them. */
export function digestDraft(held: Notification[], reason: string): NotificationDraft {
  const items = held.map(({ id, kind, rule, severity, title, text, createdAt }) => ({ id, kind, rule, severity, title, text, createdAt }));
  const lines = items.map((i) => `• ${i.createdAt.slice(0, 16).replace('T', ' ')}Z ${i.title}`);
  return {
    kind: 'digest',
    rule: null,
    severity: maxSeverity(items.map((i) => i.severity)),
    title: `${items.length} notification${items.length === 1 ? '' : 's'} held during ${reason}`,
    text: lines.join('\n'),
    events: [],
    items,
  };
}

export function testDraft(channel: string): NotificationDraft {
  return {
    kind: 'test',
    rule: null,
    severity: 'info',
    title: `test message for channel ${channel}`,
    text: 'If you can read this, ibgw-supervisor can reach you on this channel.',
    events: [],
  };
}
