import { Ajv } from 'ajv';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { ERR_BAD_URL } from '../errors.js';
import type { Logger } from '../logger.js';
import type { EventSink } from '../events.js';
import { packagePath } from '../package-root.js';
import adminAuth from './plugins/admin-auth.js';
import adminUi from './plugins/admin-ui.js';
import errorHandler from './plugins/error-handler.js';
import { lazyCompilers, lazyValidator } from './lazy-compilers.js';
import eventStreams from './plugins/event-streams.js';
import openapi from './plugins/openapi.js';
import { portPlugins } from './plugins/ports.js';
import requestMetrics from './plugins/request-metrics.js';
import scopes from './plugins/scopes.js';
import uiSession from './plugins/ui-session.js';
import accessRoutes from './routes/access.js';
import appRoutes from './routes/apps.js';
import confRoutes from './routes/conf.js';
import credentialsRoutes from './routes/credentials.js';
import eventStreamRoutes from './routes/events-stream.js';
import gatewayRoutes from './routes/gateway.js';
import gatewayVersionRoutes from './routes/gateway-versions.js';
import healthRoutes from './routes/health.js';
import ibkrRoutes from './routes/ibkr.js';
import metricsRoutes from './routes/metrics.js';
import loginRoutes from './routes/login.js';
import notificationRoutes from './routes/notifications.js';
import maintenanceRoutes from './routes/maintenance.js';
import sessionRoutes from './routes/session.js';
import statusHistoryRoutes from './routes/status-history.js';
import statusRoutes from './routes/status.js';
import tlsRoutes from './routes/tls.js';
import tokenRoutes from './routes/tokens.js';
import { BODY_LIMIT } from './schemas.js';
import type { StreamLimits } from './event-stream.js';
import uiSessionRoutes from './routes/ui-session.js';
import type { ApiServices } from './services.js';

export interface AppOptions {
  services: ApiServices;
  logger: Logger;
  auth: { maxFailures: number; failureWindowMs: number; failureDelayMs: number };
  onEvent?: EventSink;
  /** Live event streams: per-client buffer, client count, heartbeat (tests make them small). */
  streamLimits?: Partial<StreamLimits>;
  /** The admin UI (config key `ui`); on with these defaults when not given. */
  ui?: Partial<UiOptions>;
}

export interface UiOptions {
  enabled: boolean;
  /** The folder of the built UI (dist/admin-ui). */
  root: string;
  idleMs: number;
  maxAgeMs: number;
  maxSessions: number;
}

const UI_DEFAULTS = { enabled: true, idleMs: 3_600_000, maxAgeMs: 12 * 3_600_000, maxSessions: 16 };

/** Builds the API; never listens (server.ts does), so tests use app.inject() or listen on port 0. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'api' }) as FastifyBaseLogger,
    // Requests are not logged one by one (a local app polling status would flood the log);
    // failures are, by the error handler and the auth plugin.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    // Unknown properties are refused, not silently dropped: a misspelled field must not look accepted.
    // Type coercion stays on because query strings arrive as text.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    schemaController: { compilersFactory: lazyCompilers as never },
    // A URL the router cannot decode (a broken %-escape) is answered before any route or error
    // handler runs; without this, Fastify's own body (with code FST_ERR_BAD_URL) would go out.
    frameworkErrors: (err, _request, reply) => {
      const e = ERR_BAD_URL(err.message);
      (reply as FastifyReply).status(e.statusCode).send({ code: e.code, message: e.message });
    },
  });
  // Unknown properties are refused, not silently dropped: a misspelled field must not look
  // accepted. Query strings and path parameters arrive as text, so they are coerced to the
  // schema's types; JSON bodies are not — `{"force": "yes"}` is a wrong type, not a true.
  const ajvOptions = { removeAdditional: false, useDefaults: true, allErrors: false, allowUnionTypes: true, strict: false } as const;
  const bodyAjv = new Ajv({ ...ajvOptions, coerceTypes: false });
  const textAjv = new Ajv({ ...ajvOptions, coerceTypes: 'array' });
  // Built on the route's first request, like the serializers (lazy-compilers.ts says why).
  app.setValidatorCompiler(({ schema, httpPart }) => lazyValidator(() => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema)));
  await app.register(errorHandler);
  for (const plugin of portPlugins) await app.register(plugin, { services: options.services });
  await app.register(requestMetrics);
  await app.register(adminAuth, { token: options.services.adminToken, appTokens: options.services.tokens ?? null, ...options.auth, onEvent: options.onEvent });
  await app.register(scopes);
  await app.register(eventStreams, { limits: options.streamLimits });
  // Before the routes: it collects their schemas as they are added.
  await app.register(openapi, { version: options.services.daemon?.version ?? '0.0.0' });
  const ui: UiOptions = { ...UI_DEFAULTS, root: packagePath('admin-ui'), ...options.ui };
  if (ui.enabled) {
    await app.register(uiSession, { idleMs: ui.idleMs, maxAgeMs: ui.maxAgeMs, maxSessions: ui.maxSessions, onEvent: options.onEvent });
    await app.register(uiSessionRoutes);
    await app.register(adminUi, { root: ui.root });
  }
  await app.register(healthRoutes);
  await app.register(statusRoutes);
  await app.register(statusHistoryRoutes);
  await app.register(gatewayRoutes);
  await app.register(accessRoutes);
  await app.register(tlsRoutes);
  await app.register(confRoutes);
  await app.register(sessionRoutes);
  await app.register(notificationRoutes);
  await app.register(credentialsRoutes);
  await app.register(loginRoutes);
  await app.register(maintenanceRoutes);
  await app.register(gatewayVersionRoutes);
  await app.register(ibkrRoutes);
  await app.register(appRoutes);
  await app.register(eventStreamRoutes);
  await app.register(metricsRoutes);
  await app.register(tokenRoutes);
  return app as unknown as FastifyInstance;
}
