/**
 * What the running daemon can do, asked of the daemon itself: a capability still landing on
 * main is a route the API does not have yet (404 IBGW_NOT_FOUND). Faults and apps that need one
 * are left out until it answers.
 */
import type { DaemonApi } from './daemon-api.js';
import type { Capability } from './faults/fault.js';

const routeExists = (api: DaemonApi, path: string) => async (): Promise<boolean> => {
  const r = await api.get(path, { admin: true, timeoutMs: 10_000 });
  return r.status !== 0 && !(r.status === 404 && r.code === 'IBGW_NOT_FOUND');
};

export async function detectCapabilities(api: DaemonApi): Promise<Set<Capability>> {
  const probes: Array<[Capability, () => Promise<boolean>]> = [
    ['maintenance', routeExists(api, '/api/v1/maintenance/windows')],
    ['gatewayVersions', routeExists(api, '/api/v1/gateway/versions')],
    ['passThrough', routeExists(api, '/api/v1/ibkr/iserver/accounts')],
    // The unattended login reports itself in the session status once it is wired in.
    ['loginDriver', async () => {
      const r = await api.get('/api/v1/session');
      return r.status === 200 && r.body?.status?.login != null;
    }],
  ];
  const found = new Set<Capability>();
  for (const [name, probe] of probes) if (await probe()) found.add(name);
  return found;
}
