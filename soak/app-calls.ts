/**
 * What every app is built from: the soak's lines to the daemon and the gateway, the invariants
 * some apps feed, and the two calls most apps make (a GET, a portfolio call).
 */
import { outcomeOf, type AppCall } from './app-load.js';
import type { DaemonApi } from './daemon-api.js';
import type { Capability } from './faults/fault.js';
import type { GatewayAccess } from './gateway-access.js';
import type { CallResult } from './http-call.js';
import type { EventInvariant } from './invariants/event-invariant.js';
import type { NotificationInvariant } from './invariants/notification-invariant.js';
import type { ReadinessInvariant } from './invariants/readiness-invariant.js';

export interface AppDeps {
  account: string;
  api: DaemonApi;
  gateway: GatewayAccess;
  readiness: ReadinessInvariant;
  events: EventInvariant;
  notifications: NotificationInvariant;
  capabilities: ReadonlySet<Capability>;
}

export const get = (api: DaemonApi, path: string, admin = false, accept503 = false): AppCall => ({
  name: `GET ${path.split('?')[0]}`,
  run: async () => outcomeOf(await api.get(path, { admin, timeoutMs: 10_000 }), (r) => accept503 && r.status === 503),
});

/**
 * A brokerage call as an app makes it: through the daemon's pass-through when the build has
 * one, else straight to the gateway, verified with the daemon's CA.
 */
export function portfolioCall(deps: AppDeps): () => Promise<CallResult> {
  if (!deps.capabilities.has('passThrough')) return () => deps.gateway.brokerage();
  return () => deps.api.get(`/api/v1/ibkr/portfolio/${deps.account}/positions/0`, { admin: true, timeoutMs: 10_000 });
}
