/**
 * What the running daemon can do, asked of the daemon itself: a capability still landing on
 * main is a route the API does not have yet (404 IBGW_NOT_FOUND). Faults and apps that need one
 * are left out until it answers. The unattended login is seen at work: after the first start
 * the daemon either logs itself in, or stays in needs-login saying why it cannot.
 */
import { waitFor } from '../testkit/wait-for.js';
import type { DaemonApi } from './daemon-api.js';
import type { Capability } from './faults/fault.js';
import type { TwsDaemon } from './tws-daemon.js';
import type { UpdateDaemon } from './update-daemon.js';

/** How long needs-login must last, with no login attempt, to say the daemon cannot log in. */
const NO_LOGIN_AFTER_MS = 15_000;

async function logsItselfIn(api: DaemonApi): Promise<boolean> {
  let needsLoginSince: number | null = null;
  return waitFor(async () => {
    const s = (await api.get('/api/v1/session')).body?.status;
    if (s?.state === 'authenticated' || s?.state === 'logging-in') return 'yes';
    if (s?.state !== 'needs-login') {
      needsLoginSince = null;
      return null;
    }
    needsLoginSince ??= Date.now();
    return Date.now() - needsLoginSince > NO_LOGIN_AFTER_MS ? 'no' : null;
  }, 120_000, 'the first login (by the daemon, or needs-login)', 250).then((r) => r === 'yes');
}

const routeExists = (api: DaemonApi, path: string) => async (): Promise<boolean> => {
  const r = await api.get(path, { admin: true, timeoutMs: 10_000 });
  return r.status !== 0 && !(r.status === 404 && r.code === 'IBGW_NOT_FOUND');
};

/** `updates`, `tws`: the clientportal-kind and IB Gateway-kind daemons beside the main one, when the run started them. */
export async function detectCapabilities(api: DaemonApi, updates: UpdateDaemon | null = null, tws: TwsDaemon | null = null): Promise<Set<Capability>> {
  const probes: Array<[Capability, () => Promise<boolean>]> = [
    ['maintenance', routeExists(api, '/api/v1/maintenance/windows')],
    // Updates are for installed Client Portal distributions (kind clientportal) only: the update daemon's.
    ['gatewayUpdates', async () => updates !== null && (await updates.versions())?.active != null],
    ['passThrough', routeExists(api, '/api/v1/ibkr/iserver/accounts')],
    ['loginDriver', () => logsItselfIn(api)],
    // The IB Gateway kind: its daemon started, logged in and ready (tws-daemon.ts waits for that).
    ['ibGateway', async () => tws !== null && (await tws.api.get('/readyz', { timeoutMs: 5_000 })).status === 200],
  ];
  const found = new Set<Capability>();
  for (const [name, probe] of probes) if (await probe()) found.add(name);
  return found;
}
