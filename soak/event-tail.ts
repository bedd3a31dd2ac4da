/**
 * The auditor's call: a daemon's event store tailed into the event invariant (the main daemon's,
 * or the IB Gateway daemon's), each poll from the last id it has.
 */
import { outcomeOf, type AppCall } from './app-load.js';
import type { DaemonApi } from './daemon-api.js';
import type { EventInvariant } from './invariants/event-invariant.js';

export function tailEvents(api: DaemonApi, events: EventInvariant): AppCall {
  return {
    name: 'GET /api/v1/events (tail)',
    run: async () => {
      const since = events.sinceId();
      const r = await api.get(`/api/v1/events?sinceId=${since}&limit=1000`, { admin: true, timeoutMs: 10_000 });
      if (r.status === 200) events.add(r.body.events, since);
      return outcomeOf(r);
    },
  };
}
