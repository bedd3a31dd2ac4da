/**
 * What services report about themselves. Services never write to the store or the API:
 * they call the `onEvent` callback they were given, and daemon/main.ts routes the records
 * to the store (lowdb) and the in-process bus the API reads. Data flows one way.
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
