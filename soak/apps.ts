/**
 * The local "apps" that use the daemon during the soak, at a steady rate. Three of them also
 * feed invariants: the trader pairs /readyz with a portfolio call, the auditor tails the event
 * store, ops reads the notification outbox. An app for a capability that lands later (the
 * pass-through, the typed client) is one more entry in `apps()` behind its capability.
 */
import { outcomeOf, type AppCall, type AppDefinition } from './app-load.js';
import type { DaemonApi } from './daemon-api.js';
import type { Capability } from './faults/fault.js';
import type { GatewayAccess } from './gateway-access.js';
import type { EventInvariant } from './invariants/event-invariant.js';
import type { NotificationInvariant } from './invariants/notification-invariant.js';
import type { ReadinessInvariant } from './invariants/readiness-invariant.js';

export interface AppDeps {
  api: DaemonApi;
  gateway: GatewayAccess;
  readiness: ReadinessInvariant;
  events: EventInvariant;
  notifications: NotificationInvariant;
  capabilities: ReadonlySet<Capability>;
}

const get = (api: DaemonApi, path: string, admin = false, accept503 = false): AppCall => ({
  name: `GET ${path.split('?')[0]}`,
  run: async () => outcomeOf(await api.get(path, { admin, timeoutMs: 10_000 }), (r) => accept503 && r.status === 503),
});

/** Looks at /readyz, then calls the portfolio as an app that trusts it would. */
function readyThenPortfolio(deps: AppDeps): AppCall {
  return {
    name: 'readyz + portfolio',
    run: async () => {
      const ready = await deps.api.get('/readyz', { timeoutMs: 5_000 });
      const brokerage = await deps.gateway.brokerage();
      const ok = brokerage.status === 200;
      const reason = ok ? null : brokerage.status === 0 ? `${brokerage.error}` : `HTTP ${brokerage.status}`;
      if (ready.status === 200 || ready.status === 503) deps.readiness.add({ ready: ready.status === 200, brokerageOk: ok, reason });
      if (ok) return { ok: true };
      return { ok: false, reason: `${ready.status === 200 ? 'ready' : 'not ready'}, portfolio ${reason}` };
    },
  };
}

function tailEvents(deps: AppDeps): AppCall {
  return {
    name: 'GET /api/v1/events (tail)',
    run: async () => {
      const since = deps.events.sinceId();
      const r = await deps.api.get(`/api/v1/events?sinceId=${since}&limit=1000`, { admin: true, timeoutMs: 10_000 });
      if (r.status === 200) deps.events.add(r.body.events, since);
      return outcomeOf(r);
    },
  };
}

function readOutbox(deps: AppDeps): AppCall {
  return {
    name: 'GET /api/v1/notifications',
    run: async () => ((await deps.notifications.check()) ? { ok: true } : { ok: false, reason: 'no answer' }),
  };
}

export function apps(deps: AppDeps): AppDefinition[] {
  const { api } = deps;
  const list: AppDefinition[] = [
    { name: 'dashboard', perSecond: 2, calls: [get(api, '/api/v1/status'), get(api, '/readyz', false, true), get(api, '/api/v1/session')] },
    { name: 'trader', perSecond: 1, calls: [readyThenPortfolio(deps)] },
    { name: 'auditor', perSecond: 1, calls: [tailEvents(deps)] },
    { name: 'ops', perSecond: 0.25, calls: [readOutbox(deps), get(api, '/api/v1/gateway/logs?limit=50', true), get(api, '/api/v1/tls')] },
  ];
  // Slots for the app API once it is on main: the pass-through, the portfolio route, the typed
  // client and the live event stream (capability 'passThrough').
  return list;
}
