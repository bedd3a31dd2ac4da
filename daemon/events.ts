/**
 * What services report about themselves. Services never write to the store or the API:
 * they call the `onEvent` callback they were given, and daemon/main.ts routes the records
 * to the store (lowdb) and the in-process bus the API reads. Data flows one way.
 *
 * That sink is also the one place events are logged. A service does not log what it reports
 * as an event (it would be logged twice); it logs only what is no event, such as the stack of
 * an exception it caught.
 */
export type EventLevel = 'info' | 'warn' | 'error';

export interface ServiceEvent {
  /** Stable, dotted: 'gateway.transition', 'config.invalid', 'tls.expiry', 'session.state' ... */
  type: string;
  level: EventLevel;
  message: string;
  /** Machine-readable facts. Never secrets: this is stored and served by the API. */
  data?: Record<string, unknown>;
}

export type EventSink = (event: ServiceEvent) => void;

export const ignoreEvents: EventSink = () => {};
