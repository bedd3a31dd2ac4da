/**
 * The outbox as the store keeps it (the `outbox` section of state.json). Types only, so the
 * store can name them without loading the notifier.
 */
import type { DeliveryAnswer } from './channels/channel.js';
import type { Notification } from './notification.js';

/**
 * pending: to be sent (now or at nextAttemptAt); held: waiting for quiet hours or a hold to
 * end; delivered / failed: finished; digested: replaced by a digest entry (digestId).
 */
export type OutboxState = 'pending' | 'held' | 'delivered' | 'failed' | 'digested';
export type HeldBy = 'quiet-hours' | 'hold';

export interface OutboxEntry {
  /** = notification.id, the idempotency key. */
  id: string;
  channel: string;
  notification: Notification;
  state: OutboxState;
  heldBy: HeldBy | null;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  finishedAt: number | null;
  lastError: { code: string; message: string } | null;
  answer: DeliveryAnswer | null;
  digestId?: string;
}

export interface HoldRecord {
  reason: string;
  since: number;
  /** Released by itself at this instant (a maintenance window's end); null: until release(). */
  until: number | null;
}

export interface OutboxData {
  entries: OutboxEntry[];
  hold: HoldRecord | null;
}

/** What the notifier needs of the daemon's store (daemon/store/store.ts implements it). */
export interface OutboxStore {
  outbox(): OutboxData;
  /** Mutations go through here so the store schedules its (atomic) write. */
  updateOutbox(mutate: (data: OutboxData) => void): void;
  /** Resolves once everything changed so far is on disk. */
  flush(): Promise<void>;
}
