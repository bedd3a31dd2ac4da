/**
 * The API as the daemon builds it (daemon/api/app.ts buildApp: every plugin and route), around
 * whatever real services a test provides; requests go through app.inject().
 */
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../daemon/api/app.js';
import type { ApiServices } from '../../daemon/api/services.js';
import type { ServiceEvent } from '../../daemon/events.js';
import { silentLogger } from '../../daemon/logger.js';
import type { Teardown } from './temp-dir.js';

export const ADMIN_TOKEN = 'test-admin-token-7f3a9c1e5b2d8f4a6c0e9b3d1f7a5c2e';
export const adminHeaders = { authorization: `Bearer ${ADMIN_TOKEN}` };

export interface TestApp {
  app: FastifyInstance;
  /** What the API reported through onEvent (auth failures, bursts). */
  events: ServiceEvent[];
}

/** Generous failure limits unless a test is about them: most tests are not about auth. */
export async function buildTestApp(t: Teardown, services: Partial<ApiServices>, auth: Partial<AppOptions['auth']> = {}): Promise<TestApp> {
  const events: ServiceEvent[] = [];
  const app = await buildApp({
    services: { adminToken: ADMIN_TOKEN, ...services } as ApiServices,
    logger: silentLogger,
    auth: { maxFailures: 100, failureWindowMs: 60_000, failureDelayMs: 0, ...auth },
    onEvent: (e) => events.push(e),
  });
  t.teardown(() => app.close());
  return { app, events };
}
