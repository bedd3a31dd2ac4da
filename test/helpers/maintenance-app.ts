/**
 * The real API (buildApp) around a maintenance harness: only what the maintenance routes read
 * is real, the rest of ApiServices answers like a stopped daemon.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../daemon/api/app.js';
import type { MaintenancePorts } from '../../daemon/api/plugins/maintenance-ports.js';
import type { ApiServices } from '../../daemon/api/services.js';
import { silentLogger } from '../../daemon/logger.js';
import type { Store } from '../../daemon/store/store.js';

export const TOKEN = 'maintenance-test-token';
export const auth = { authorization: `Bearer ${TOKEN}` };

export async function buildMaintenanceApp(
  t: { teardown(fn: () => unknown): void },
  store: Store,
  ports: MaintenancePorts,
  services: Partial<ApiServices> = {},
): Promise<FastifyInstance> {
  const stopped = { state: 'stopped', pid: null, since: null, restartsSinceStart: 0, lastExit: null, cpu: null, memory: null };
  const base: ApiServices = {
    config: () => { throw new Error('no config in this test'); },
    configStatus: () => ({}),
    supervisor: { status: () => stopped, start: async () => stopped, stop: async () => stopped, restart: async () => stopped, logs: () => [] },
    store,
    gatewayInfo: () => ({}),
    session: null,
    access: null,
    tls: null,
    conf: null,
    daemon: { pid: process.pid, version: 'test', startedAt: Date.now() },
    notifier: null as unknown as ApiServices['notifier'],
    ibkr: null as unknown as ApiServices['ibkr'],
    metrics: null as unknown as ApiServices['metrics'],
    vault: null,
    adminToken: TOKEN,
  };
  const app = await buildApp({
    services: { ...base, maintenance: ports, ...services },
    logger: silentLogger,
    auth: { maxFailures: 1000, failureWindowMs: 60_000, failureDelayMs: 0 },
  });
  t.teardown(() => app.close());
  return app;
}
