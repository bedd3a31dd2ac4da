/**
 * The local "apps" that use the daemon during the soak, at a steady rate. Three of them also
 * feed invariants: the trader pairs /readyz with a portfolio call, the auditor tails the event
 * store, ops reads the notification outbox. An app for a capability that lands later (the
 * pass-through, the typed client) is one more entry in `apps()` behind its capability.
 */
import { get, portfolioCall, type AppDeps } from './app-calls.js';
import type { AppCall, AppDefinition } from './app-load.js';
import { appApiApps } from './apps-app-api.js';
import { tailEvents } from './event-tail.js';

/** Looks at /readyz, then calls the portfolio as an app that trusts it would. */
function readyThenPortfolio(deps: AppDeps): AppCall {
  const portfolio = portfolioCall(deps);
  return {
    name: 'readyz + portfolio',
    run: async () => {
      const ready = await deps.api.get('/readyz', { timeoutMs: 5_000 });
      const brokerage = await portfolio();
      const ok = brokerage.status === 200;
      const reason = ok ? null : brokerage.status === 0 ? `${brokerage.error}` : `HTTP ${brokerage.status}${brokerage.code ? ` ${brokerage.code}` : ''}`;
      if (ready.status === 200 || ready.status === 503) deps.readiness.add({ ready: ready.status === 200, brokerageOk: ok, reason });
      if (ok) return { ok: true };
      return { ok: false, reason: `${ready.status === 200 ? 'ready' : 'not ready'}, portfolio ${reason}` };
    },
  };
}

function readOutbox(deps: AppDeps): AppCall {
  return {
    name: 'GET /api/v1/notifications',
    run: async () => ((await deps.notifications.check()) ? { ok: true } : { ok: false, reason: 'no answer' }),
  };
}

export async function apps(deps: AppDeps): Promise<AppDefinition[]> {
  const { api } = deps;
  const list: AppDefinition[] = [
    { name: 'dashboard', perSecond: 2, calls: [get(api, '/api/v1/status'), get(api, '/readyz', false, true), get(api, '/api/v1/session')] },
    { name: 'trader', perSecond: 1, calls: [readyThenPortfolio(deps)] },
    { name: 'auditor', perSecond: 1, calls: [tailEvents(api, deps.events)] },
    { name: 'ops', perSecond: 0.25, calls: [readOutbox(deps), get(api, '/api/v1/gateway/logs?limit=50', true), get(api, '/api/v1/tls')] },
  ];
  if (deps.capabilities.has('passThrough')) list.push(...await appApiApps(deps));
  return list;
}
