/**
 * Held notifications: during a channel's quiet hours, or while the notifier is on hold (the
 * maintenance `quiet` action), new entries are stored as held instead of sent. When neither
 * applies any more, a channel's held entries are replaced by one digest entry listing them.
 * Held entries are in the store like the rest: a restart in the middle loses none.
 */
import type { QuietHours } from '../config/notify-schema.js';
import { digestDraft, materialize } from './notification.js';
import type { Outbox } from './outbox.js';
import type { HeldBy, HoldRecord, OutboxEntry } from './outbox-types.js';
import { quietUntil } from './quiet-hours.js';

export function activeHold(hold: HoldRecord | null, now: number): HoldRecord | null {
  return hold && (hold.until === null || hold.until > now) ? hold : null;
}

/** Why a new entry for `channel` is held now, or null to send it. */
export function holdReasonFor(quiet: QuietHours | null, hold: HoldRecord | null, passesHold: boolean, now: number): HeldBy | null {
  if (activeHold(hold, now) && !passesHold) return 'hold';
  return quietUntil(now, quiet) !== null ? 'quiet-hours' : null;
}

export interface HeldReview {
  /** Digest entries created (already added to the outbox, not yet flushed). */
  digests: OutboxEntry[];
  /** Earliest instant a channel's quiet hours end while it still holds entries; Infinity if none. */
  nextQuietEnd: number;
}

/**
 * Re-decides every held entry: still held (relabelled hold or quiet-hours), or released into
 * its channel's digest. `holdReason` names the hold in the digest title when one just ended.
 */
export function reviewHeld(outbox: Outbox, quietOf: (channel: string) => QuietHours | null, now: number, holdReason: string | null): HeldReview {
  const hold = activeHold(outbox.hold, now);
  const byChannel = new Map<string, OutboxEntry[]>();
  for (const e of outbox.entries) {
    if (e.state !== 'held') continue;
    const list = byChannel.get(e.channel) ?? [];
    list.push(e);
    byChannel.set(e.channel, list);
  }
  const digests: OutboxEntry[] = [];
  let nextQuietEnd = Infinity;
  outbox.update((data) => {
    for (const [channel, held] of byChannel) {
      const quietEnd = quietUntil(now, quietOf(channel));
      if (hold || quietEnd !== null) {
        for (const e of held) e.heldBy = hold ? 'hold' : 'quiet-hours';
        if (!hold && quietEnd !== null) nextQuietEnd = Math.min(nextQuietEnd, quietEnd);
        continue;
      }
      held.sort((a, b) => a.createdAt - b.createdAt);
      const reason = held.some((e) => e.heldBy === 'hold') && holdReason ? `the hold (${holdReason})` : 'quiet hours';
      const notification = materialize(digestDraft(held.map((e) => e.notification), reason), now);
      for (const e of held) Object.assign(e, { state: 'digested', heldBy: null, finishedAt: now, digestId: notification.id });
      const digest: OutboxEntry = {
        id: notification.id, channel, notification, state: 'pending', heldBy: null, attempts: 0,
        createdAt: now, nextAttemptAt: now, finishedAt: null, lastError: null, answer: null,
      };
      data.entries.push(digest);
      digests.push(digest);
    }
  });
  return { digests, nextQuietEnd };
}
