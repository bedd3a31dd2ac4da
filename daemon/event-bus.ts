import type { EventSink, ServiceEvent } from './events.js';

/**
 * Where every service's events go: the log, the store, and later notifications and the live
 * stream subscribe here. A subscriber that throws is skipped, never the reporting service's
 * problem — a failing notifier must not break the supervisor's transition handling.
 */
export class EventBus {
  readonly #subscribers = new Set<EventSink>();

  /** Bound, so it can be handed to services as their onEvent. */
  readonly emit: EventSink = (event: ServiceEvent) => {
    for (const subscriber of this.#subscribers) {
      try { subscriber(event); } catch { /* a subscriber's failure is its own */ }
    }
  };

  subscribe(subscriber: EventSink): () => void {
    this.#subscribers.add(subscriber);
    return () => { this.#subscribers.delete(subscriber); };
  }
}
