/**
 * No event lost or duplicated in the store, across daemon restarts. The auditor app tails
 * GET /api/v1/events?sinceId=… and re-reads the last few ids it already has each time, so:
 * - ids in one answer must be contiguous (a gap is an event lost);
 * - an id read before must still be there, with the same content (a daemon killed before its
 *   store reached the disk would hand the same id to another event after the restart);
 * - what the store keeps is bounded (store.maxEvents), so only recent ids are compared.
 */
import type { Violations } from '../violations.js';

export interface StoredEventView {
  id: number;
  type: string;
  at: string;
  message: string;
  data?: Record<string, unknown>;
}

/** Ids re-read at every poll; a kill -9 loses at most the last flush delay's worth (~50 ms). */
export const EVENT_OVERLAP = 30;
const REMEMBERED = 2_000;

const fingerprint = (e: StoredEventView) => `${e.type}|${e.at}|${e.message}`;

export class EventInvariant {
  readonly #violations: Violations;
  readonly #seen = new Map<number, string>();
  lastId = 0;
  polls = 0;
  readonly byType = new Map<string, number>();
  /** gateway.transition → running events: each must become one notification (soak-config.ts RUNNING_RULE). */
  runningTransitions = 0;
  /** When each daemon process started (daemon.started events), Date.now() scale. */
  readonly daemonStarts: number[] = [];

  constructor(violations: Violations) {
    this.#violations = violations;
  }

  sinceId(): number {
    return Math.max(0, this.lastId - EVENT_OVERLAP);
  }

  /** One tail answer, read with sinceId(). */
  add(events: StoredEventView[], sinceId: number): void {
    this.polls += 1;
    this.#checkContiguous(events);
    const returned = new Set(events.map((e) => e.id));
    // Everything seen in the overlap must come back (the answer starts right after sinceId).
    const upTo = Math.min(this.lastId, events.length > 0 ? events.at(-1)!.id : this.lastId);
    for (let id = sinceId + 1; id <= upTo; id++) {
      if (this.#seen.has(id) && !returned.has(id)) {
        this.#violations.record('event-lost', `event ${id} (${this.#seen.get(id)!.split('|')[0]}) was served and is no longer in the store`, { key: `gone ${id}` });
      }
    }
    for (const e of events) this.#accept(e);
    this.#forget();
  }

  #checkContiguous(events: StoredEventView[]): void {
    for (let i = 1; i < events.length; i++) {
      const [prev, next] = [events[i - 1]!.id, events[i]!.id];
      if (next === prev + 1) continue;
      const what = next <= prev ? 'duplicated or out of order' : `${next - prev - 1} missing`;
      this.#violations.record(next <= prev ? 'event-duplicated' : 'event-lost', `event ids jump from ${prev} to ${next} (${what})`, { key: `${prev}->${next}` });
    }
  }

  #accept(e: StoredEventView): void {
    const known = this.#seen.get(e.id);
    const print = fingerprint(e);
    if (known !== undefined) {
      if (known !== print) {
        this.#violations.record('event-lost', `event ${e.id} was "${known}" when served and is "${print}" now: the first was lost and its id given again`, { key: `reused ${e.id}` });
        this.#seen.set(e.id, print);
      }
      return;
    }
    this.#seen.set(e.id, print);
    if (e.id <= this.lastId) return;
    this.lastId = e.id;
    this.byType.set(e.type, (this.byType.get(e.type) ?? 0) + 1);
    if (e.type === 'gateway.transition' && e.data?.to === 'running') this.runningTransitions += 1;
    if (e.type === 'daemon.started') this.daemonStarts.push(Date.parse(e.at));
  }

  #forget(): void {
    for (const id of this.#seen.keys()) {
      if (id > this.lastId - REMEMBERED) break;
      this.#seen.delete(id);
    }
  }
}
