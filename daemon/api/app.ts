import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../logger.js';
import type { EventSink } from '../events.js';
import adminAuth from './plugins/admin-auth.js';
import errorHandler from './plugins/error-handler.js';
import { portPlugins } from './plugins/ports.js';
import accessRoutes from './routes/access.js';
import confRoutes from './routes/conf.js';
import credentialsRoutes from './routes/credentials.js';
import gatewayRoutes from './routes/gateway.js';
import gatewayVersionRoutes from './routes/gateway-versions.js';
import healthRoutes from './routes/health.js';
import notificationRoutes from './routes/notifications.js';
import maintenanceRoutes from './routes/maintenance.js';
import sessionRoutes from './routes/session.js';
import statusRoutes from './routes/status.js';
import tlsRoutes from './routes/tls.js';
import type { ApiServices } from './services.js';

export interface AppOptions {
  services: ApiServices;
  logger: Logger;
  auth: { maxFailures: number; failureWindowMs: number; failureDelayMs: number };
  onEvent?: EventSink;
}

/** Builds the API; never listens (server.ts does), so tests use app.inject() or listen on port 0. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'api' }) as FastifyBaseLogger,
    // Requests are not logged one by one (a local app polling status would flood the log);
    // failures are, by the error handler and the auth plugin.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    // Unknown properties are refused, not silently dropped: a misspelled field must not look accepted.
    // Type coercion stays on because query strings arrive as text.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  });
  await app.register(errorHandler);
  for (const plugin of portPlugins) await app.register(plugin, { services: options.services });
  await app.register(adminAuth, { token: options.services.adminToken, ...options.auth, onEvent: options.onEvent });
  await app.register(healthRoutes);
  await app.register(statusRoutes);
  await app.register(gatewayRoutes);
  await app.register(accessRoutes);
  await app.register(tlsRoutes);
  await app.register(confRoutes);
  await app.register(sessionRoutes);
  await app.register(notificationRoutes);
  await app.register(credentialsRoutes);
  await app.register(maintenanceRoutes);
  await app.register(gatewayVersionRoutes);
  return app as unknown as FastifyInstance;
}
