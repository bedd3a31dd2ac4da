/** What status() and the API show: facts about channels and deliveries, never a secret. */
import type { DeliveryAnswer } from './channels/channel.js';
import type { HoldRecord, OutboxEntry } from './outbox-types.js';

export interface DeliveryView {
  id: string;
  channel: string;
  kind: string;
  rule: string | null;
  severity: string;
  title: string;
  state: string;
  heldBy: string | null;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string | null;
  finishedAt: string | null;
  error: { code: string; message: string } | null;
  answer: DeliveryAnswer | null;
  digestId?: string;
}

export interface NotifierStatus {
  channels: Array<Record<string, unknown> & { name: string; type: string; pending: number; held: number; failed: number }>;
  /** Effective rule names (the presets when none are configured). */
  rules: string[];
  hold: HoldRecord | null;
  /** Conditions being watched: waiting (needs-login for N min), alerted (a recovery will follow), deduplicating. */
  conditions: Array<{ rule: string; key: string; since: string; alerted: boolean; waiting: boolean; suppressed: number }>;
  /** Newest first. */
  recent: DeliveryView[];
  failed: DeliveryView[];
}

export interface TestResult {
  channel: string;
  id: string;
  ok: boolean;
  ms: number;
  answer: DeliveryAnswer | null;
  error: { code: string; message: string } | null;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export function entryView(e: OutboxEntry): DeliveryView {
  const n = e.notification;
  return {
    id: e.id, channel: e.channel, kind: n.kind, rule: n.rule, severity: n.severity, title: n.title,
    state: e.state, heldBy: e.heldBy, attempts: e.attempts, createdAt: iso(e.createdAt)!,
    nextAttemptAt: e.state === 'pending' ? iso(e.nextAttemptAt) : null, finishedAt: iso(e.finishedAt),
    error: e.lastError, answer: e.answer, ...(e.digestId ? { digestId: e.digestId } : {}),
  };
}
